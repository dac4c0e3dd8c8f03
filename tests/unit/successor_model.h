// A stand-in causal LM for the scheduler's tests: the next token is (last token + 1) %
// kVocab, no layers, no weights (an empty but valid weights file).
#ifndef EDGE_TESTS_UNIT_SUCCESSOR_MODEL_H_
#define EDGE_TESTS_UNIT_SUCCESSOR_MODEL_H_

#include <cstdint>

#include "edge/lm.h"

namespace edge::testing {

inline constexpr int64_t kSuccessorVocab = 16;

// Writes logits preferring (id + 1) % vocab for every token, the way generated code
// receives its arguments: weights, attention context, input_ids, position_ids, logits.
inline int32_t successorRun(void *const *args) {
  const int64_t *ids = static_cast<const int64_t *>(args[2]);
  const int64_t *logits = static_cast<const int64_t *>(args[4]);
  const int64_t *tokens = reinterpret_cast<const int64_t *>(ids[1]);
  float *out = reinterpret_cast<float *>(logits[1]);
  int64_t count = ids[4];
  for (int64_t t = 0; t < count; ++t)
    for (int64_t v = 0; v < kSuccessorVocab; ++v) out[t * kSuccessorVocab + v] = v == (tokens[t] + 1) % kSuccessorVocab ? 10.f : 0.f;
  return 0;
}

// The descriptor of the stand-in model, bound to a weights file's fingerprint.
inline edge_model_desc_t successorModel(const edge_weights_t *weights) {
  static const int64_t tokenDims[] = {1, -1};
  static const int64_t logitDims[] = {1, -1, kSuccessorVocab};
  static const edge_tensor_desc_t inputs[] = {{"input_ids", EDGE_DTYPE_I64, 2, tokenDims},
                                              {"position_ids", EDGE_DTYPE_I64, 2, tokenDims}};
  static const edge_tensor_desc_t outputs[] = {{"logits", EDGE_DTYPE_F32, 3, logitDims}};
  static const char *const symbols[] = {"tokens"};
  static const edge_lm_desc_t lm = {1, 1, 4, kSuccessorVocab, 0, 1, 0, UINT32_MAX};
  return {EDGE_MODEL_ABI_VERSION, EDGE_MODEL_KIND_CAUSAL_LM, "successor", "test", 2, 1, inputs, outputs, 1, 0,
          symbols, nullptr, edge_weights_fingerprint(weights), 0, successorRun, &lm};
}

} // namespace edge::testing

#endif // EDGE_TESTS_UNIT_SUCCESSOR_MODEL_H_
