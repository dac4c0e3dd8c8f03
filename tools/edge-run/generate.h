/* edge-run's text generation mode, for causal LMs (EDGE_MODEL_KIND_CAUSAL_LM). */
#ifndef EDGE_RUN_GENERATE_H_
#define EDGE_RUN_GENERATE_H_

#include "edge/edgert.h"

/* argv[1] is the weights file; the rest are generation options. Returns the exit code. */
int edge_run_generate(const edge_model_desc_t *model, int argc, char **argv);

#endif /* EDGE_RUN_GENERATE_H_ */
