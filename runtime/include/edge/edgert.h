/*
 * edge/edgert.h — the edgec runtime C API.
 *
 * Conventions (all functions):
 *   - Functions are named edge_<module>_<type>_<verb> and return edge_status_t: NULL means
 *     success; anything else is an error the caller owns and releases with
 *     edge_status_free(). edge_status_code() and edge_status_message() read it.
 *   - Results come back through out_ parameters, which are set to NULL (or zero) first, so
 *     a failed call never leaves a dangling handle behind.
 *   - A call that fails leaves every object it was given as it was.
 *   - Handles are opaque; *_release(NULL) is a no-op. Using a handle after releasing it,
 *     releasing it twice, or releasing a session after its LM, is undefined behaviour. As a
 *     safety net each handle carries a liveness mark that its release function checks
 *     first: a second release stops the process (abort) with a message naming the function
 *     rather than corrupting the heap. The mark cannot help once the allocator has given
 *     the memory to a new handle of the same type.
 *
 * Typical use with a model compiled by `edgec compile model.onnx --name mlp`:
 *
 *     #include "mlp.h"          // declares mlp_model()
 *     #include <edge/edgert.h>
 *     edge_weights_t *w; edge_graph_t *g;
 *     edge_status_t st = edge_weights_open("mlp.weights", 0, &w);
 *     if (!st) st = edge_graph_create(mlp_model(), w, &g);
 *     ...  edge_graph_output_shape(g, inputs, 0, &shape);   // size the output buffers
 *     ...  edge_graph_run(g, inputs, outputs);
 *     edge_graph_release(g); edge_weights_release(w);
 *
 * Thread safety: edge_weights_t is immutable after open and may be shared by any number of
 * graphs and threads. An edge_graph_t may be run from several threads at once (it holds no
 * per-run state); release it only when no run is in flight.
 */
#ifndef EDGE_EDGERT_H_
#define EDGE_EDGERT_H_

#include <stddef.h>
#include <stdint.h>

#include "edge/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/*===--------------------------------------------------------------------===*
 * Status
 *===--------------------------------------------------------------------===*/

typedef enum edge_status_code_e {
  EDGE_STATUS_OK = 0,
  EDGE_STATUS_INVALID_ARGUMENT = 1, /* a caller's value is wrong (shape, dtype, NULL) */
  EDGE_STATUS_NOT_FOUND = 2,        /* a file or a named thing does not exist */
  EDGE_STATUS_DATA_LOSS = 3,        /* a file is truncated or corrupt */
  EDGE_STATUS_FAILED_PRECONDITION = 4, /* e.g. weights belong to another model */
  EDGE_STATUS_RESOURCE_EXHAUSTED = 5,  /* out of memory or of a budget */
  EDGE_STATUS_UNIMPLEMENTED = 6,
  EDGE_STATUS_INTERNAL = 7,
} edge_status_code_t;

typedef struct edge_status_s *edge_status_t;

/* Code of a status; EDGE_STATUS_OK for NULL. */
edge_status_code_t edge_status_code(edge_status_t status);
/* Message of a status ("" for NULL); valid until edge_status_free. */
const char *edge_status_message(edge_status_t status);
/* Releases a status; NULL is a no-op. */
void edge_status_free(edge_status_t status);
/* Name of a code, e.g. "INVALID_ARGUMENT". */
const char *edge_status_code_name(edge_status_code_t code);
/* A new status with a printf-formatted message, for callers that report their own errors
 * through the same type; never NULL for a non-OK code (falls back to a static
 * out-of-memory status). Release it with edge_status_free. */
edge_status_t edge_make_status(edge_status_code_t code, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*===--------------------------------------------------------------------===*
 * Memory
 *===--------------------------------------------------------------------===*/

/* The app's allocator. Each function gets `user` first; alloc and realloc behave as malloc
 * and realloc (never asked for 0 bytes), aligned_alloc as C11's (a power-of-two alignment,
 * a size that is a multiple of it), and free releases what any of them returned. They
 * may be called from any thread the runtime runs on (the LM's worker threads included). */
typedef struct edge_allocator_t {
  void *(*alloc)(void *user, size_t size);
  void *(*realloc)(void *user, void *pointer, size_t size);
  void (*free)(void *user, void *pointer);
  void *(*aligned_alloc)(void *user, size_t alignment, size_t size);
  void *user;
} edge_allocator_t;

/*
 * Makes libedgert and libedgetok allocate through `allocator` (copied; NULL: the C
 * library's malloc family, the default): their objects, statuses, buffers, the compiled
 * code's working memory and a run's argument arrays. Process-wide: call it once, before any other call of this API, from one
 * thread; switching while the runtime holds memory (live objects, unfreed statuses or
 * buffers) would hand blocks of one allocator to the other's free. Errors:
 * INVALID_ARGUMENT (a function missing), changing nothing.
 */
edge_status_t edge_set_allocator(const edge_allocator_t *allocator);
/* Frees a buffer this API handed to the caller (edge_tokenizer_encode's ids,
 * edge_tokenizer_decode's and edge_chat_template_apply's text) with the runtime's
 * allocator; NULL is a no-op. With the default allocator, free() does the same. */
void edge_free(void *pointer);

/*===--------------------------------------------------------------------===*
 * Weights: a read-only mmap of NAME.weights
 *===--------------------------------------------------------------------===*/

typedef struct edge_weights_s edge_weights_t;

enum {
  /* Also verify every tensor's checksum (reads the whole file once). */
  EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS = 1u << 0,
};

/*
 * Maps `path` read-only and validates the header, the tensor table and every tensor's
 * bounds before returning. Errors: NOT_FOUND (no such file), DATA_LOSS (truncated or
 * corrupt file; the message names the field and the expected value).
 */
edge_status_t edge_weights_open(const char *path, uint32_t flags, edge_weights_t **out_weights);
/* The same file image inside an open file at `offset` (a multiple of 64), `size` bytes
 * long (0: to the file's end) — a weights file stored uncompressed in an Android APK, as
 * AAsset_openFileDescriptor64 gives it. The descriptor may be closed after the call. */
edge_status_t edge_weights_open_fd(int fd, uint64_t offset, uint64_t size, uint32_t flags,
                                   edge_weights_t **out_weights);
/* The file image in the caller's memory (`data` 64-byte aligned, left untouched, valid
 * until edge_weights_release). Validated like a file. */
edge_status_t edge_weights_open_memory(const void *data, size_t size, uint32_t flags, edge_weights_t **out_weights);
void edge_weights_release(edge_weights_t *weights);

/* The fingerprint stored in (and verified against) the file's tensor table. */
uint64_t edge_weights_fingerprint(const edge_weights_t *weights);
/* Number of tensors, and a tensor's name (not NUL-terminated) and bytes by index. */
uint32_t edge_weights_tensor_count(const edge_weights_t *weights);
edge_status_t edge_weights_tensor_get(const edge_weights_t *weights, uint32_t index,
                                      const char **out_name, size_t *out_name_size,
                                      const void **out_data, uint64_t *out_size);

/*===--------------------------------------------------------------------===*
 * Graph models (EDGE_MODEL_KIND_GRAPH)
 *===--------------------------------------------------------------------===*/

/* A dense, row-major tensor owned by the caller. */
typedef struct edge_tensor_t {
  void *data;
  uint32_t dtype; /* edge_dtype_t */
  uint32_t rank;
  int64_t dims[EDGE_MAX_RANK];
} edge_tensor_t;

typedef struct edge_graph_s edge_graph_t;

/*
 * Binds a compiled model to its weights. Checks the ABI version, the model kind and that
 * the weights' fingerprint and size match what the code was compiled against
 * (FAILED_PRECONDITION otherwise). `weights` must outlive the graph.
 */
edge_status_t edge_graph_create(const edge_model_desc_t *model, const edge_weights_t *weights,
                                edge_graph_t **out_graph);
void edge_graph_release(edge_graph_t *graph);

typedef struct edge_graph_options_t {
  /* Models compiled with --target vulkan: the device, by index in Vulkan's device list
   * ("0") or by a part of its name ("llvmpipe"). NULL or "": $EDGE_VULKAN_DEVICE, else
   * the first discrete GPU, then integrated GPU, then any device. The weights are uploaded
   * to it once, here. UNIMPLEMENTED when libedgert was built without Vulkan. */
  const char *vulkan_device;
} edge_graph_options_t;

/* edge_graph_create with options (NULL: the defaults). */
edge_status_t edge_graph_create_with_options(const edge_model_desc_t *model, const edge_weights_t *weights,
                                             const edge_graph_options_t *options, edge_graph_t **out_graph);

/* Where the graph runs: "cpu", or the Vulkan device's name. */
const char *edge_graph_device_name(const edge_graph_t *graph);

const edge_model_desc_t *edge_graph_model(const edge_graph_t *graph);

/*
 * Shape of output `index` for the given inputs (num_inputs tensors, in model order; only
 * dtype, rank and dims are read). Fails with INVALID_ARGUMENT if the inputs do not match
 * the model (dtype, rank, static dims, or two inputs disagreeing on a symbolic dim).
 */
edge_status_t edge_graph_output_shape(const edge_graph_t *graph, const edge_tensor_t *inputs,
                                      uint32_t index, edge_tensor_t *out_shape);

/*
 * Runs the model. `inputs` and `outputs` are arrays of num_inputs / num_outputs tensors in
 * model order; every output must already have the shape edge_graph_output_shape gives and
 * a buffer of that size. Validates every shape and dtype before any code runs.
 */
edge_status_t edge_graph_run(const edge_graph_t *graph, const edge_tensor_t *inputs,
                             edge_tensor_t *outputs);

/* Size in bytes of one element of `dtype` (0 for an unknown dtype). */
size_t edge_dtype_size(uint32_t dtype);
/* edge_dtype_name (edge/model_abi.h) names a dtype. */
/* Elements in a tensor (product of dims); -1 when a dim is negative or the product does
 * not fit in int64_t. */
int64_t edge_tensor_element_count(const edge_tensor_t *tensor);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_EDGERT_H_ */
