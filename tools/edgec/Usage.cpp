//===- Usage.cpp - `edgec help` and each command's --help ------------------===//
#include "tools/edgec/Usage.h"

#include "edge/model_abi.h"
#include "edge/weights_format.h"

#include "llvm/Config/llvm-config.h"

namespace edge {
namespace {

const char *kOverview = "usage: edgec <command> [options]\n"
                        "\n"
                        "commands:\n"
                        "  compile MODEL.onnx -o OUT   compile an ONNX model into a static library, header and weights file\n"
                        "  run OUT ...                 run a compiled model (graph inputs, text generation or perplexity)\n"
                        "  inspect MODEL.onnx          what edgec makes of a model: inputs, ops, unsupported nodes\n"
                        "  help [COMMAND]              this text, or a command's options\n"
                        "  --version                   edgec's version and the ABI and file formats it writes\n"
                        "\n"
                        "`edgec COMMAND --help` lists a command's options.\n";

const char *kCompile =
    "usage: edgec compile MODEL.onnx -o OUT [options]\n"
    "\n"
    "Writes OUT/libNAME.a, OUT/NAME.h and OUT/NAME.weights (OUT is created).\n"
    "\n"
    "options:\n"
    "  -o, --output OUT          the output folder\n"
    "  --name NAME               C name of the model (default: the file's name)\n"
    "  --target TARGET           host (default), aarch64-linux-gnu, x86_64-linux-gnu, armv7-linux-gnueabihf,\n"
    "                            riscv64-linux-gnu, aarch64-linux-android, arm64-apple-ios, arm64-apple-macos\n"
    "                            or vulkan\n"
    "  --host-triple TRIPLE      --target vulkan: the CPU code's target (host or one of the -linux- targets)\n"
    "  --cpu NAME                the CPU to tune for: an LLVM CPU name (cortex-a76, skylake-avx512, ...) or native\n"
    "  --features LIST           extra target features, comma-separated: +dotprod,+i8mm,-sve\n"
    "  --quant MODE              none (default), q8_0, q4_0, q4_1, or mixed (q4_0, the embedding, the logits\n"
    "                            and the worst quarter of the matrices at q8_0)\n"
    "  --quant-override P=F      weights whose name matches the glob P stored as F (f32, q8_0, q4_0, q4_1);\n"
    "                            may repeat, later ones win\n"
    "  --quant-report FILE       per-weight table of formats and errors (its plot goes beside it as .svg)\n"
    "  --paged-kv auto|off       auto (default): causal LMs use the runtime's paged KV cache;\n"
    "                            off: compile the graph as it is (past_key_values in and out)\n"
    "  --emit KIND               print instead of building: onnx, mlir, llvm, asm or spirv\n"
    "  --dump-after PASS         print the IR after the named pass (may repeat)\n"
    "  --jobs N                  threads for the weights and the per-layer code (default: the cores)\n"
    "  --timings                 print the time and peak memory of each phase\n";

const char *kRun =
    "usage: edgec run OUT --input NAME=FILE.npy ... [options]                   (a graph)\n"
    "       edgec run OUT (--prompt-ids 1,2,3 | --prompt TEXT --tokenizer FILE) (a causal LM)\n"
    "       edgec run OUT --perplexity TEXT --tokenizer FILE [options]         (a causal LM)\n"
    "\n"
    "Links a runner against OUT's library and runs it (aarch64, armv7 and riscv64 Linux libraries under\n"
    "qemu-user).\n"
    "\n"
    "graph options:\n"
    "  --input NAME=FILE.npy     one per graph input\n"
    "  --output-dir DIR          where the outputs are written as NAME.npy (created; default: the current folder)\n"
    "  --repeat N                run N times and print the best and mean time\n"
    "\n"
    "generation options (each --prompt-ids or --prompt is one session; they run batched):\n"
    "  --max-tokens N            tokens to generate (default 64)\n"
    "  --greedy                  the most likely token every step (default)\n"
    "  --temperature T --top-k K --top-p P --repetition-penalty R --seed S\n"
    "                            sampling\n"
    "  --stop-ids A,B            ids that end generation (default with a tokenizer: its end-of-text token)\n"
    "  --no-bos                  no leading special tokens when encoding --prompt\n"
    "  --ignore-eos              keep generating past the end-of-text token\n"
    "  --stop TEXT               end a session when its text contains TEXT (not shown; may repeat;\n"
    "                            needs --tokenizer)\n"
    "  --json                    one JSON object per session: ids, text, finish reason, speed\n"
    "  --sequential              run the sessions one after another instead of batched\n"
    "  --fork-prefix N           prefill the first prompt's first N ids once and fork every session from it\n"
    "  --threads N --pin         threads of a step (default: the fast cores), pinned to them\n"
    "  --max-context N           positions a session may hold (default 2048, or fewer if the model holds fewer)\n"
    "  --prefill-chunk N --max-step-tokens N\n"
    "                            prompt tokens of one session per step; tokens of all sessions per step\n"
    "  --kv-page-tokens N --kv-budget-mb N --kv-f16 | --kv-int8 --sliding-window N\n"
    "                            the KV cache's pages, memory budget, element type and attention window\n"
    "\n"
    "perplexity options:\n"
    "  --window N                tokens per scored window (default 128)\n"
    "  --max-tokens N            score only the text's first N tokens\n"
    "  --predictions FILE        write the top-1 prediction of every position\n"
    "  --json                    the result as JSON\n"
    "\n"
    "all modes:\n"
    "  --no-verify-weights       skip the weights file's checksums (verified by default)\n"
    "  --vulkan-device INDEX|NAME\n"
    "                            libraries compiled with --target vulkan: the device\n";

const char *kInspect = "usage: edgec inspect MODEL.onnx\n"
                       "\n"
                       "Prints the model's opsets, inputs, outputs, parameters and op counts, the nodes\n"
                       "edgec cannot compile (then exits 1), what the import simplifies the graph to, and\n"
                       "whether it compiles as a causal LM for the paged KV cache.\n";

} // namespace

const char *usageText(llvm::StringRef command) {
  if (command == "compile") return kCompile;
  if (command == "run") return kRun;
  if (command == "inspect") return kInspect;
  return command.empty() || command == "help" ? kOverview : nullptr;
}

std::string versionText() {
  return std::string("edgec ") + EDGEC_VERSION + " (LLVM " + LLVM_VERSION_STRING + "; model ABI " +
         std::to_string(EDGE_MODEL_ABI_VERSION) + ", weights format " + std::to_string(EDGE_WEIGHTS_VERSION) + ")\n";
}

} // namespace edge
