//===- PlanQuantization.cpp - choose each weight's stored format (--quant) -===//
//
// Marks the edge.weight ops edge-quantize-weights will store block-quantized, and notes
// on every 2-D weight that stays f32 why (`edge.quant_note`, read by --quant-report).
// A weight whose reduction dim the block size does not divide stays f32 with a remark.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/PlanQuantization.h"

#include <algorithm>

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/QuantizeWeights.h"
#include "dialects/edge/IR/ModelInterface.h"
#include "llvm/Support/GlobPattern.h"

namespace edge {
#define GEN_PASS_DEF_PLANQUANTIZATIONPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace edge

using namespace mlir;

namespace edge {
namespace {

constexpr const char *kModes[] = {"none", "q8_0", "q4_0", "q4_1", "mixed"};
constexpr const char *kFormats[] = {"f32", "q8_0", "q4_0", "q4_1"};

struct PlanQuantizationPass : impl::PlanQuantizationPassBase<PlanQuantizationPass> {
  using PlanQuantizationPassBase::PlanQuantizationPassBase;
  PlanQuantizationPass(const PlanQuantizationPassOptions &options, QuantErrorFn q4Error)
      : PlanQuantizationPassBase(options), q4Error(std::move(q4Error)) {}

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!llvm::is_contained(kModes, mode)) {
      module.emitError() << "edge-plan-quantization: mode '" << std::string(mode) << "': expected none, q8_0, q4_0, q4_1 or mixed";
      return signalPassFailure();
    }
    std::vector<std::pair<llvm::GlobPattern, std::string>> patterns;
    for (const std::string &text : overrides) {
      size_t equals = text.rfind('=');
      std::string format = equals == std::string::npos ? "" : text.substr(equals + 1);
      auto pattern = llvm::GlobPattern::create(llvm::StringRef(text).substr(0, equals == std::string::npos ? 0 : equals));
      if (equals == std::string::npos || equals == 0 || !llvm::is_contained(kFormats, format) || !pattern) {
        if (!pattern) llvm::consumeError(pattern.takeError());
        module.emitError() << "edge-plan-quantization: override '" << text << "': expected PATTERN=f32|q8_0|q4_0|q4_1";
        return signalPassFailure();
      }
      patterns.emplace_back(std::move(*pattern), format);
    }
    if (mode == "none" && patterns.empty()) return;
    auto func = module.lookupSymbol<func::FuncOp>("main");
    FailureOr<ModelInterface> interface = getModelInterface(module);
    if (!func || failed(interface)) return signalPassFailure();

    // The token ids input: Gathers of a table by it are token embeddings.
    Value tokenIds;
    for (unsigned i = 0, input = 0; i < func.getNumArguments(); ++i) {
      if (func.getArgAttr(i, kAttentionContextArgAttr)) continue;
      if (input < interface->inputs.size() && interface->inputs[input].name == "input_ids") tokenIds = func.getArgument(i);
      ++input;
    }
    int64_t vocab = interface->causalLM.enabled ? interface->causalLM.vocabSize : 0;
    for (const TensorInterface &output : interface->outputs)
      if (!vocab && output.name == "logits" && !output.dims.empty()) vocab = output.dims.back();

    WeightsByName weights = collectWeightsByName(module);
    // An override that names no weight is most likely a typo: say so.
    for (auto [i, entry] : llvm::enumerate(patterns))
      if (llvm::none_of(weights.names, [&](llvm::StringRef name) { return entry.first.match(name); }))
        module.emitWarning() << "--quant-override '" << overrides[i] << "' matches no weight of the model";

    Builder builder(module.getContext());
    auto note = [&](WeightOp op, llvm::StringRef why) {
      op->setAttr(kQuantNoteAttr, builder.getStringAttr(why));
    };
    struct Choice {
      WeightOp weight;
      QuantCandidate candidate;
      std::string format;
      bool pinned = false; // embedding, logits or override: not subject to mixed's error ranking
    };
    std::vector<Choice> choices;
    for (llvm::StringRef name : weights.names) {
      auto &ops = weights.ops[name];
      WeightOp first = ops.front();
      if (cast<RankedTensorType>(first.getType()).getRank() != 2) continue;
      QuantCandidate candidate = analyzeQuantCandidate(first);
      for (WeightOp op : llvm::drop_begin(ops)) {
        QuantCandidate other = analyzeQuantCandidate(op);
        if (!other.ok || other.fromKN != candidate.fromKN) candidate.ok = false, candidate.whyNot = "read in different ways";
      }
      if (!candidate.ok) {
        note(first, candidate.whyNot);
        continue;
      }
      bool tokenEmbedding = candidate.embedding && tokenIds && candidate.gatherIndices == tokenIds;
      if (candidate.embedding && !tokenEmbedding) {
        note(first, "a table gathered by something other than the token ids (positions, RoPE): kept exact");
        continue;
      }
      Choice choice{first, candidate, mode == "none" ? "f32" : std::string(mode)};
      if (mode == "mixed") {
        bool logits = !candidate.embedding && vocab > 0 && candidate.rows == vocab;
        choice.format = tokenEmbedding || logits ? "q8_0" : "q4_0";
        choice.pinned = tokenEmbedding || logits;
      }
      for (auto &[pattern, format] : patterns)
        if (pattern.match(first.getName())) choice.format = format, choice.pinned = true;
      if (choice.format != "f32" && candidate.k % block != 0) {
        first.emitRemark() << "weight '" << first.getName() << "' stays f32: its reduction dim " << candidate.k
                           << " is not a multiple of the block size " << static_cast<int64_t>(block);
        note(first, "reduction dim " + std::to_string(candidate.k) + " is not a multiple of the block size");
        continue;
      }
      choices.push_back(choice);
    }

    if (mode == "mixed" && q4Error) {
      // The quarter of the q4_0 matrices that q4_0 represents worst go to q8_0.
      std::vector<std::pair<double, Choice *>> ranked;
      for (Choice &choice : choices) {
        if (choice.pinned || choice.format != "q4_0") continue;
        FailureOr<double> error = q4Error(choice.weight, choice.candidate.rows, choice.candidate.k,
                                          choice.candidate.fromKN, block);
        if (failed(error)) return signalPassFailure();
        ranked.emplace_back(*error, &choice);
      }
      std::stable_sort(ranked.begin(), ranked.end(), [](auto &a, auto &b) { return a.first > b.first; });
      for (size_t i = 0; i < ranked.size() / 4; ++i) ranked[i].second->format = "q8_0";
    }

    for (Choice &choice : choices) {
      if (choice.format == "f32") {
        note(choice.weight, "f32 by --quant or --quant-override");
        continue;
      }
      for (WeightOp op : weights.ops[choice.weight.getName()]) {
        op.setQuantAttr(builder.getStringAttr(choice.format));
        op.setQuantBlockAttr(builder.getI64IntegerAttr(block));
      }
    }
  }

  QuantErrorFn q4Error;
};

} // namespace

std::unique_ptr<Pass> createPlanQuantizationPass(const PlanQuantizationPassOptions &options, QuantErrorFn q4Error) {
  return std::make_unique<PlanQuantizationPass>(options, std::move(q4Error));
}

} // namespace edge
