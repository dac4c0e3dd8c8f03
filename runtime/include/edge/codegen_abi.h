/*
 * edge/codegen_abi.h — the generated-code side of the model ABI: what code compiled by
 * edgec and the runtime's backends exchange during a run, beyond the descriptor that
 * edge/model_abi.h shows apps. Apps need not read it; the runtime and edgec's codegen
 * (codegen/common/BindRuntimeImports.cpp, codegen/spirv) both follow it, and it is
 * versioned with EDGE_MODEL_ABI_VERSION.
 */
#ifndef EDGE_CODEGEN_ABI_H_
#define EDGE_CODEGEN_ABI_H_

#include <stdint.h>

#include "edge/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What generated code calls in the runtime. Code never names a runtime symbol: every run
 * passes this table, and each callback gets `context` first, so a backend keeps the
 * run's state there (no globals, no thread-locals). Memref descriptors are passed by
 * pointer, as MLIR's C interface does. A backend sets the callbacks its models use;
 * the others may be NULL.
 */
typedef struct edge_model_imports_t {
  void *context;
  /* The code's allocations (its arena and scratch), like aligned_alloc and free;
   * alignment 0: malloc's. NULL on failure. */
  void *(*alloc)(void *context, uint64_t alignment, uint64_t bytes);
  void (*free)(void *context, void *pointer);
  /* Causal LMs on the CPU: attention over the paged KV cache for one layer of the step
   * (runtime/cpu/paged_attention.c): attention context, q, k, v, out descriptors. */
  void (*paged_attention)(void *context, void *attention_context, void *q, void *k, void *v, void *out,
                          int64_t layer, float scale);
  /* --target vulkan: one kernel dispatch (see edge_vk_program_t). */
  void (*vk_dispatch)(void *context, int32_t kernel, int64_t groups_x, int64_t groups_y, int64_t groups_z,
                      const void *addresses, const void *scalars);
  /* The backend's threads: runs fn(args, item) for every item in [0, count) and returns
   * when all are done. The calling thread takes items too. Items must not depend on one
   * another or on the thread that runs them (so results never depend on the thread
   * count); fn must not call parallel_for. NULL: the code runs every item itself. */
  void (*parallel_for)(void *context, int64_t count, void (*fn)(void *args, int64_t item), void *args);
} edge_model_imports_t;

/* The callbacks' positions in edge_model_imports_t, in pointers (generated code loads
 * them by these). The ukernels edgec links into a model get the table itself as their
 * last argument and call parallel_for through it. */
enum {
  EDGE_IMPORT_CONTEXT = 0,
  EDGE_IMPORT_ALLOC = 1,
  EDGE_IMPORT_FREE = 2,
  EDGE_IMPORT_PAGED_ATTENTION = 3,
  EDGE_IMPORT_VK_DISPATCH = 4,
  EDGE_IMPORT_PARALLEL_FOR = 5,
};

EDGE_ABI_CHECK(sizeof(edge_model_imports_t) == 6 * sizeof(void *),
               "generated code loads the callbacks by their index in pointers");

/*
 * Code compiled with --target vulkan: the entry point runs on the host and records one
 * dispatch per kernel through the import table's vk_dispatch, with `addresses` and
 * `scalars` memref<?xi64> descriptors; its allocations (through alloc and free) are
 * device buffers, known to it by address only.
 *
 * `addresses` holds the address of the first element of each of the kernel's buffers
 * (inside the weights, an input, an output, an allocation or a constant below); the host
 * code never dereferences them. Bindings 0..num_bindings-1 of descriptor set 0 are those
 * buffers. The push constants are num_push_constants 32-bit words: one per binding, the
 * element offset at which the runtime bound it (descriptor offsets must be aligned, a
 * tensor's start need not be), then `scalars`, each narrowed to 32 bits.
 */
typedef struct edge_vk_kernel_t {
  const char *entry_point;
  const uint32_t *spirv; /* SPIR-V 1.3 words, validated for Vulkan 1.1 */
  uint32_t spirv_words;
  uint32_t num_bindings;
  const uint32_t *binding_element_bytes; /* num_bindings element sizes */
  uint32_t num_push_constants;
  uint32_t workgroup_size[3];
  uint32_t reserved;
} edge_vk_kernel_t;

/* Host constants the kernels read (small tables folded by the compiler), uploaded once. */
typedef struct edge_vk_constant_t {
  const void *data;
  uint64_t bytes;
} edge_vk_constant_t;

enum {
  EDGE_VK_REQUIRES_INT64 = 1u << 0, /* VkPhysicalDeviceFeatures.shaderInt64 */
};

typedef struct edge_vk_program_t {
  uint32_t num_kernels;
  uint32_t num_constants;
  const edge_vk_kernel_t *kernels;
  const edge_vk_constant_t *constants;
  uint32_t required_features; /* EDGE_VK_REQUIRES_* */
  uint32_t reserved;
} edge_vk_program_t;

/*
 * Causal LMs compiled with --target vulkan: the entry's attention-context argument is the
 * KV arena, one device buffer of 32-bit words (the memref's size is its byte count). The
 * kernels read everything about a step from it:
 *   words 0..EDGE_VK_KV_HEADER_WORDS-1: the header (fields below);
 *   from word tokens_base, per token of the step, EDGE_VK_KV_TOKEN_WORDS words: the word
 *     index of its sequence's page table, its position, the first position it attends to
 *     (sliding window), 0;
 *   a page table: per page_tokens positions, the page holding them;
 *   from word pages_base, the KV pages (edge/kv_cache.h layout and row formats; f16 rows
 *     two halves a word, element 2w in the low half; int8 rows the f32 scale word, then
 *     four values a word, element 4w in the low byte): page p starts at word
 *     pages_base + p * page_words.
 * The runtime makes sure every position a token reads has a page before it submits.
 */
enum {
  EDGE_VK_KV_PAGES_BASE = 0,  /* header field: word index of page 0 */
  EDGE_VK_KV_PAGE_TOKENS = 1, /* header field: positions per page */
  EDGE_VK_KV_PAGE_WORDS = 2,  /* header field: words per page */
  EDGE_VK_KV_TOKENS_BASE = 3, /* header field: word index of the first token record */
  EDGE_VK_KV_DTYPE = 4,       /* header field: the pool's EDGE_DTYPE_F32, _F16 or _I8 */
  EDGE_VK_KV_ROW_WORDS = 5,   /* header field: words of one row (kv_cache.h row bytes / 4) */
  EDGE_VK_KV_HEADER_WORDS = 8,
  EDGE_VK_KV_TOKEN_WORDS = 4,
};

#ifdef __cplusplus
}
#endif

#endif /* EDGE_CODEGEN_ABI_H_ */
