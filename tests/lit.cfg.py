# lit configuration for edgec: tests/lit mirrors the source tree (dialects/, compiler/,
# codegen/{common,cpu,spirv}/, tools/edgec/): a pass's test sits in the folder of its source.
import os

import lit.formats

config.name = "edgec"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.join(config.edgec_src_root, "tests", "lit")
config.test_exec_root = os.path.join(config.edgec_obj_root, "tests", "lit")
config.excludes = ["Inputs"]

tools = {
    "edge-opt": os.path.join(config.edgec_obj_root, "tools", "edge-opt", "edge-opt"),
    "edgec": os.path.join(config.edgec_obj_root, "tools", "edgec", "edgec"),
}
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, os.path.dirname(tools["edge-opt"]), os.path.dirname(tools["edgec"]),
     config.environment.get("PATH", os.environ.get("PATH", ""))])
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%gen", "/usr/bin/python3 " + os.path.join(config.edgec_src_root, "tests", "lit", "Inputs", "make_model.py")))
