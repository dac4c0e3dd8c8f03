/* --kv-f16 / --kv-int8, shared by generation and perplexity runs. */
#ifndef EDGE_RUN_KV_OPTION_H_
#define EDGE_RUN_KV_OPTION_H_

#include <stdio.h>
#include <string.h>

#include "edge/lm.h"

/* 0 when `arg` is not a KV dtype flag; 1 when it set options->kv.dtype; -1 (the error
 * printed) when the other KV dtype was given already: the two are exclusive. */
static inline int parse_kv_dtype_option(const char *arg, edge_lm_options_t *options) {
  uint32_t dtype;
  if (strcmp(arg, "--kv-f16") == 0) dtype = EDGE_DTYPE_F16;
  else if (strcmp(arg, "--kv-int8") == 0) dtype = EDGE_DTYPE_I8;
  else return 0;
  if (options->kv.dtype && options->kv.dtype != dtype) {
    fprintf(stderr, "edge-run: error: --kv-f16 and --kv-int8 are exclusive; give one: %s\n", arg);
    return -1;
  }
  options->kv.dtype = dtype;
  return 1;
}

#endif /* EDGE_RUN_KV_OPTION_H_ */
