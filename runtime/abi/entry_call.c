/* Builds the memref descriptors a compiled model's entry takes, and calls it. */
#include "abi/entry_call.h"

#include "base/alloc.h"
#include "base/status.h"

/* A strided memref descriptor of rank r as the generated code reads it:
 * { base, aligned, offset, sizes[r], strides[r] }: two pointers (32-bit on armv7), then
 * 64-bit words (generated code indexes with i64 on every target). The sizes and strides
 * of rank r are the first 2r words of `dims`. */
typedef struct memref_words_t {
  void *allocated, *aligned;
  int64_t offset;
  int64_t dims[2 * EDGE_MAX_RANK];
} memref_words_t;

/* Arguments that fit on the stack; a model with more takes them from the heap. */
enum { kStackArgs = 16 };

static void fill_memref(memref_words_t *memref, const void *data, uint32_t rank,
                        const int64_t *dims) {
  memref->allocated = (void *)data;
  memref->aligned = (void *)data;
  memref->offset = 0;
  int64_t stride = 1;
  for (uint32_t i = rank; i-- > 0;) {
    memref->dims[i] = dims[i];
    memref->dims[rank + i] = stride;
    stride *= dims[i];
  }
}

edge_status_t edge_entry_call(const edge_model_desc_t *model, const void *weights_data,
                              uint64_t weights_size, void *attention_context, uint64_t context_bytes,
                              const edge_tensor_t *inputs, edge_tensor_t *outputs,
                              const edge_model_imports_t *imports) {
  uint32_t leading = attention_context ? 2 : 1;
  uint32_t count = leading + model->num_inputs + model->num_outputs;
  /* The descriptors, then the import table (one more pointer, not a descriptor). */
  memref_words_t stack_memrefs[kStackArgs];
  void *stack_args[kStackArgs + 1];
  memref_words_t *memrefs = stack_memrefs;
  void **args = stack_args;
  if (count > kStackArgs) {
    memrefs = edge_mem_calloc(count, sizeof(*memrefs));
    args = edge_mem_calloc(count + 1, sizeof(*args));
    if (!memrefs || !args) {
      edge_mem_free(memrefs);
      edge_mem_free(args);
      return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
  }
  int64_t weights_dims[1] = {(int64_t)weights_size};
  fill_memref(&memrefs[0], weights_data, 1, weights_dims);
  if (attention_context) {
    int64_t context_dims[1] = {(int64_t)context_bytes};
    fill_memref(&memrefs[1], attention_context, 1, context_dims);
  }
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    fill_memref(&memrefs[leading + i], inputs[i].data, inputs[i].rank, inputs[i].dims);
  for (uint32_t i = 0; i < model->num_outputs; ++i)
    fill_memref(&memrefs[leading + model->num_inputs + i], outputs[i].data, outputs[i].rank,
                outputs[i].dims);
  for (uint32_t i = 0; i < count; ++i) args[i] = &memrefs[i];
  args[count] = (void *)imports;
  int32_t result = model->run(args);
  if (memrefs != stack_memrefs) {
    edge_mem_free(memrefs);
    edge_mem_free(args);
  }
  if (result != 0)
    return edge_make_status(EDGE_STATUS_INTERNAL, "model '%s' run failed with code %d", model->name,
                            result);
  return NULL;
}
