/*
 * llama_greedy — the peer's side of bench_1b.py's agreement check: llama.cpp (through its
 * public C API, libllama) decodes the same prompt ids greedily, f32 KV cache, so its ids
 * can be compared with edgec's. Built by the bench against a llama.cpp build outside this
 * repository; never part of edgec's build.
 *
 *   llama_greedy MODEL.gguf COUNT ID,ID,...     prints COUNT generated ids, comma-separated
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: llama_greedy MODEL.gguf COUNT ID,ID,...\n");
    return 2;
  }
  const int count = atoi(argv[2]);
  llama_token prompt[4096];
  int length = 0;
  for (char *id = strtok(argv[3], ","); id && length < 4096; id = strtok(NULL, ",")) prompt[length++] = atoi(id);
  llama_backend_init();
  struct llama_model_params model_params = llama_model_default_params();
  struct llama_model *model = llama_model_load_from_file(argv[1], model_params);
  if (!model) {
    fprintf(stderr, "llama_greedy: cannot load %s\n", argv[1]);
    return 1;
  }
  struct llama_context_params params = llama_context_default_params();
  params.n_ctx = (uint32_t)(length + count + 8);
  params.n_batch = (uint32_t)length;
  params.type_k = GGML_TYPE_F32; /* as edgec's f32 KV cache */
  params.type_v = GGML_TYPE_F32;
  params.no_perf = 1;
  struct llama_context *context = llama_init_from_model(model, params);
  const int vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
  struct llama_batch batch = llama_batch_get_one(prompt, length);
  llama_token next;
  for (int i = 0; i < count; ++i) {
    if (llama_decode(context, batch) != 0) {
      fprintf(stderr, "llama_greedy: llama_decode failed\n");
      return 1;
    }
    const float *logits = llama_get_logits_ith(context, -1);
    next = 0;
    for (int v = 1; v < vocab; ++v)
      if (logits[v] > logits[next]) next = v; /* the lowest id among equal best, as edgec */
    printf(i ? ",%d" : "%d", next);
    batch = llama_batch_get_one(&next, 1);
  }
  printf("\n");
  llama_free(context);
  llama_model_free(model);
  llama_backend_free();
  return 0;
}
