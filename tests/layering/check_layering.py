#!/usr/bin/env python3
"""Checks the include arrows between edgec's layers.

Every `#include "..."` in the sources is resolved the way the build resolves it (the
project root, runtime/include, a runtime folder, the file's own folder) and the arrow from
the including layer to the included one must be allowed:

    tools/edgec, tools/edge-opt  -> compiler, codegen, dialects, contract
    compiler                     -> compiler, dialects, contract
    codegen                      -> codegen, dialects, contract
    dialects                     -> dialects, contract
    runtime                      -> runtime (the contract is part of it)
    tools/edge-run, apps         -> contract (runtime/include/edge: the public API and ABI)

The contract is runtime/include/edge: what generated code, the compiler and apps may
know of the runtime. Tests (tests/, test-suite/) may look inside the layer they test.
Exit status 1 and one line per forbidden include otherwise.
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SOURCES = (".c", ".h", ".cpp", ".td")

ALLOWED = {
    "tools/edgec": {"tools/edgec", "compiler", "codegen", "dialects", "contract"},
    "tools/edge-opt": {"tools/edge-opt", "compiler", "codegen", "dialects", "contract"},
    "compiler": {"compiler", "dialects", "contract"},
    "codegen": {"codegen", "dialects", "contract"},
    "dialects": {"dialects", "contract"},
    "runtime": {"runtime", "contract"},
    "tools/edge-run": {"tools/edge-run", "contract"},
    "test-suite/apps": {"test-suite/apps", "contract"},
}


def layer_of(path):
    rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
    if rel.startswith("runtime/include/edge/"):
        return "contract"
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if rel == layer or rel.startswith(layer + "/"):
            return layer
    return rel.split("/")[0]


def resolve(including, name):
    """The file an include names, or None for generated (.inc) and system headers."""
    candidates = [os.path.join(os.path.dirname(including), name), os.path.join(ROOT, name),
                  os.path.join(ROOT, "runtime", "include", name), os.path.join(ROOT, "runtime", name)]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def main():
    problems = []
    for top in ("compiler", "codegen", "dialects", "runtime", "tools", "test-suite/apps"):
        for directory, _, files in os.walk(os.path.join(ROOT, top)):
            for file in files:
                if not file.endswith(SOURCES):
                    continue
                path = os.path.join(directory, file)
                source = layer_of(path)
                if source not in ALLOWED:
                    continue
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
                for name in INCLUDE.findall(text):
                    target = resolve(path, name)
                    if target is None:
                        continue
                    layer = layer_of(target)
                    if layer not in ALLOWED[source]:
                        problems.append(f"{os.path.relpath(path, ROOT)}: includes \"{name}\" "
                                        f"({source} -> {layer} is not an allowed arrow)")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} forbidden include(s); the allowed arrows are in {os.path.relpath(__file__, ROOT)}")
        return 1
    print("layering: every include follows an allowed arrow")
    return 0


if __name__ == "__main__":
    sys.exit(main())
