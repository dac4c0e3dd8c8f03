/* Internal: whether a compiled model descriptor can run on this runtime with these weights. */
#ifndef EDGE_ABI_MODEL_CHECK_H_
#define EDGE_ABI_MODEL_CHECK_H_

#include "edge/edgert.h"

/* ABI version, kind (EDGE_MODEL_KIND_*), and that the weights are the ones the code was
 * compiled against. INVALID_ARGUMENT for NULLs, FAILED_PRECONDITION otherwise. */
edge_status_t edge_model_check(const edge_model_desc_t *model, const edge_weights_t *weights,
                               uint32_t kind);

#endif /* EDGE_ABI_MODEL_CHECK_H_ */
