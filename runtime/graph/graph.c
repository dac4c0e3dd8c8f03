/*
 * Graph models (edge/edgert.h): binds a compiled model descriptor to its weights on the
 * backend that runs it, and checks every call's tensors against the descriptor (binding
 * its symbolic dims) before the backend sees them.
 */
#include <stdlib.h>
#include <string.h>

#include "abi/model_check.h"
#include "backend/backend.h"
#include "base/alloc.h"
#include "base/handle.h"
#include "base/status.h"

struct edge_graph_s {
  uint32_t magic; /* EDGE_HANDLE_GRAPH (base/handle.h) */
  const edge_model_desc_t *model;
  const edge_backend_t *backend;
  edge_backend_instance_t *instance;
};

edge_status_t edge_graph_create(const edge_model_desc_t *model, const edge_weights_t *weights,
                                edge_graph_t **out_graph) {
  return edge_graph_create_with_options(model, weights, NULL, out_graph);
}

edge_status_t edge_graph_create_with_options(const edge_model_desc_t *model, const edge_weights_t *weights,
                                             const edge_graph_options_t *options, edge_graph_t **out_graph) {
  if (!out_graph) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_graph is NULL");
  *out_graph = NULL;
  if (!model || !weights)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "model or weights is NULL");
  EDGE_RETURN_IF_ERROR(edge_model_check(model, weights, EDGE_MODEL_KIND_GRAPH));
  const edge_backend_t *backend = NULL;
  EDGE_RETURN_IF_ERROR(edge_backend_for_model(model, &backend));
  edge_graph_t *graph = edge_mem_calloc(1, sizeof(*graph));
  if (!graph) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  graph->magic = EDGE_HANDLE_GRAPH;
  graph->model = model;
  graph->backend = backend;
  edge_status_t status =
      backend->create(model, weights, options ? options->vulkan_device : NULL, NULL, &graph->instance, NULL);
  if (status) {
    edge_mem_free(graph);
    return status;
  }
  *out_graph = graph;
  return NULL;
}

void edge_graph_release(edge_graph_t *graph) {
  if (!graph) return;
  edge_handle_retire(&graph->magic, EDGE_HANDLE_GRAPH, "edge_graph_release");
  graph->backend->release(graph->instance);
  edge_mem_free(graph);
}

const char *edge_graph_device_name(const edge_graph_t *graph) {
  return graph ? graph->backend->device_name(graph->instance) : NULL;
}

const edge_model_desc_t *edge_graph_model(const edge_graph_t *graph) {
  return graph ? graph->model : NULL;
}

/* Checks `tensor` against `desc` and binds symbolic dims into `symbols` (-1 = unbound). */
static edge_status_t bind_tensor(const char *role, const edge_tensor_desc_t *desc,
                                 const edge_tensor_t *tensor, int64_t *symbols) {
  if (tensor->dtype != desc->dtype)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s '%s': dtype %s, expected %s", role,
                            desc->name, edge_dtype_name(tensor->dtype), edge_dtype_name(desc->dtype));
  if (tensor->rank != desc->rank)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s '%s': rank %u, expected %u", role,
                            desc->name, tensor->rank, desc->rank);
  for (uint32_t i = 0; i < desc->rank; ++i) {
    int64_t dim = tensor->dims[i];
    if (dim < 0)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s '%s': dim %u is negative (%lld)",
                              role, desc->name, i, (long long)dim);
    int64_t expected = desc->dims[i];
    if (expected < 0) {
      int64_t *bound = &symbols[-expected - 1];
      if (*bound < 0) *bound = dim;
      expected = *bound;
    }
    if (dim != expected)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "%s '%s': dim %u is %lld, expected %lld",
                              role, desc->name, i, (long long)dim, (long long)expected);
  }
  return NULL;
}

static edge_status_t bind_inputs(const edge_model_desc_t *model, const edge_tensor_t *inputs,
                                 int64_t *symbols) {
  for (uint32_t s = 0; s < model->num_symbols; ++s) symbols[s] = -1;
  if (model->num_inputs && !inputs)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "inputs is NULL");
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    EDGE_RETURN_IF_ERROR(bind_tensor("input", &model->inputs[i], &inputs[i], symbols));
  for (uint32_t s = 0; model->symbol_exprs && s < model->num_symbols; ++s) {
    const edge_dim_expr_t *expr = &model->symbol_exprs[s];
    if (expr->num_terms == 0) {
      if ((expr->flags & EDGE_DIM_EXPR_FIXED) && symbols[s] != expr->constant)
        return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                                "input dim '%s' is %lld; the model's graph works only for %lld",
                                model->symbols[s], (long long)symbols[s], (long long)expr->constant);
      continue;
    }
    int64_t value = expr->constant;
    for (uint32_t t = 0; t < expr->num_terms; ++t) {
      int64_t symbol = expr->terms[t].symbol, term = 0;
      if (symbol < 0 || symbol >= (int64_t)model->num_symbols || symbols[symbol] < 0)
        return edge_make_status(EDGE_STATUS_INTERNAL, "model '%s': symbol '%s' depends on an unbound one",
                                model->name, model->symbols[s]);
      if (__builtin_mul_overflow(expr->terms[t].coefficient, symbols[symbol], &term) ||
          __builtin_add_overflow(value, term, &value))
        return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "dim '%s' of the inputs' shapes does not fit in 64 bits",
                                model->symbols[s]);
    }
    if (value < 0)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "dim '%s' of the inputs' shapes is %lld",
                              model->symbols[s], (long long)value);
    /* An input dim the model ties to others (attention_mask's length = past + sequence). */
    if (symbols[s] >= 0 && symbols[s] != value)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                              "input dim '%s' is %lld; the other inputs' dims make it %lld",
                              model->symbols[s], (long long)symbols[s], (long long)value);
    symbols[s] = value;
  }
  return NULL;
}

static void resolve_shape(const edge_tensor_desc_t *desc, const int64_t *symbols,
                          edge_tensor_t *shape) {
  memset(shape, 0, sizeof(*shape));
  shape->dtype = desc->dtype;
  shape->rank = desc->rank;
  for (uint32_t d = 0; d < desc->rank; ++d)
    shape->dims[d] = desc->dims[d] >= 0 ? desc->dims[d] : symbols[-desc->dims[d] - 1];
}

/* Symbols live on the stack; models have a handful. */
#define EDGE_MAX_SYMBOLS 64

edge_status_t edge_graph_output_shape(const edge_graph_t *graph, const edge_tensor_t *inputs,
                                      uint32_t index, edge_tensor_t *out_shape) {
  if (!graph || !out_shape)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "graph or out_shape is NULL");
  const edge_model_desc_t *model = graph->model;
  if (index >= model->num_outputs)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "output index %u, model has %u", index,
                            model->num_outputs);
  if (model->num_symbols > EDGE_MAX_SYMBOLS)
    return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "model has %u symbolic dims (max %d)",
                            model->num_symbols, EDGE_MAX_SYMBOLS);
  int64_t symbols[EDGE_MAX_SYMBOLS];
  EDGE_RETURN_IF_ERROR(bind_inputs(model, inputs, symbols));
  resolve_shape(&model->outputs[index], symbols, out_shape);
  return NULL;
}

edge_status_t edge_graph_run(const edge_graph_t *graph, const edge_tensor_t *inputs,
                             edge_tensor_t *outputs) {
  if (!graph) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "graph is NULL");
  const edge_model_desc_t *model = graph->model;
  if (model->num_symbols > EDGE_MAX_SYMBOLS)
    return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "model has %u symbolic dims (max %d)",
                            model->num_symbols, EDGE_MAX_SYMBOLS);
  if (model->num_outputs && !outputs)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "outputs is NULL");
  int64_t symbols[EDGE_MAX_SYMBOLS];
  EDGE_RETURN_IF_ERROR(bind_inputs(model, inputs, symbols));
  for (uint32_t i = 0; i < model->num_outputs; ++i) {
    edge_tensor_t expected;
    resolve_shape(&model->outputs[i], symbols, &expected);
    if (outputs[i].dtype != expected.dtype || outputs[i].rank != expected.rank ||
        memcmp(outputs[i].dims, expected.dims, sizeof(int64_t) * expected.rank) != 0)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                              "output '%s': shape or dtype differs from edge_graph_output_shape",
                              model->outputs[i].name);
  }
  for (uint32_t i = 0; i < model->num_inputs; ++i) {
    const int64_t count = edge_tensor_element_count(&inputs[i]);
    const size_t element = edge_dtype_size(inputs[i].dtype); /* a valid dtype: bind_inputs checked it */
    if (count < 0 || (element && (uint64_t)count > (uint64_t)INT64_MAX / element))
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "input '%s': its shape is too large for memory",
                              model->inputs[i].name);
    if (!inputs[i].data && count > 0)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "input '%s' has no data", model->inputs[i].name);
  }
  for (uint32_t i = 0; i < model->num_outputs; ++i)
    if (!outputs[i].data && edge_tensor_element_count(&outputs[i]) > 0)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "output '%s' has no data",
                              model->outputs[i].name);

  return graph->backend->run(graph->instance, inputs, outputs);
}
