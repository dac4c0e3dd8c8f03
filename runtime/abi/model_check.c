/* Checks a compiled model descriptor against this runtime's ABI and against its weights. */
#include "abi/model_check.h"

#include "base/status.h"
#include "io/weights_internal.h"

edge_status_t edge_model_check(const edge_model_desc_t *model, const edge_weights_t *weights,
                               uint32_t kind) {
  if (!model || !weights)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "model or weights is NULL");
  if (model->abi_version != EDGE_MODEL_ABI_VERSION)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION,
                            "model '%s' has ABI version %u; this runtime speaks %u", model->name,
                            model->abi_version, EDGE_MODEL_ABI_VERSION);
  if (model->kind != kind || !model->run || (kind == EDGE_MODEL_KIND_CAUSAL_LM) != (model->lm != NULL))
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "model '%s' is not a %s model", model->name,
                            kind == EDGE_MODEL_KIND_GRAPH ? "graph" : "causal LM");
  if (model->weights_fingerprint != weights->header->fingerprint)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION,
                            "weights file (fingerprint %016llx) belongs to another model; '%s' "
                            "was compiled against %016llx",
                            (unsigned long long)weights->header->fingerprint, model->name,
                            (unsigned long long)model->weights_fingerprint);
  if (model->weights_size != weights->header->data_size)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION,
                            "weights data is %llu bytes; model '%s' expects %llu",
                            (unsigned long long)weights->header->data_size, model->name,
                            (unsigned long long)model->weights_size);
  return NULL;
}
