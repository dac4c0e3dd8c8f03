/* edge-run's perplexity mode, for causal LMs (see perplexity.c). */
#ifndef EDGE_RUN_PERPLEXITY_H_
#define EDGE_RUN_PERPLEXITY_H_

#include "edge/edgert.h"

/* argv[1] is the weights file; the rest are perplexity options. Returns the exit code. */
int edge_run_perplexity(const edge_model_desc_t *model, int argc, char **argv);

#endif /* EDGE_RUN_PERPLEXITY_H_ */
