/*
 * hello_lm: generate text with a causal LM compiled by edgec, through the C API.
 *
 *   hello_lm MODEL.weights tokenizer.json "prompt text" MAX_TOKENS
 *
 * Encodes the prompt, runs two sessions — one generating from the prompt, one forked
 * from it after it is cached (sharing its KV pages) — greedily, and prints each
 * session's generated ids on one line, then its text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/lm.h"
#include "edge/tokenizer.h"
#include "llama.h"

static int check(edge_status_t status) {
  if (!status) return 0;
  fprintf(stderr, "hello_lm: %s: %s\n", edge_status_code_name(edge_status_code(status)),
          edge_status_message(status));
  edge_status_free(status);
  return 1;
}

static void print_session(edge_lm_session_t *session, uint32_t prompt_len, const edge_tokenizer_t *tokenizer) {
  const int32_t *ids = NULL;
  uint32_t count = 0;
  edge_lm_session_tokens(session, &ids, &count);
  for (uint32_t i = prompt_len; i < count; ++i) printf("%s%d", i > prompt_len ? " " : "", ids[i]);
  printf("\n");
  char *text = NULL;
  if (!check(edge_tokenizer_decode(tokenizer, ids + prompt_len, count - prompt_len, &text, NULL))) {
    printf("%s\n", text);
    free(text);
  }
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: hello_lm MODEL.weights tokenizer.json PROMPT MAX_TOKENS\n");
    return 1;
  }
  edge_weights_t *weights = NULL;
  edge_tokenizer_t *tokenizer = NULL;
  edge_lm_t *lm = NULL;
  edge_lm_session_t *first = NULL, *second = NULL;
  int32_t *prompt = NULL;
  uint32_t prompt_len = 0;
  edge_lm_options_t options = {0};
  options.kv.page_tokens = 8;
  if (check(edge_weights_open(argv[1], 0, &weights)) || check(edge_tokenizer_open(argv[2], &tokenizer)) ||
      check(edge_tokenizer_encode(tokenizer, argv[3], strlen(argv[3]), 1, &prompt, &prompt_len)) ||
      check(edge_lm_create(llama_model(), weights, &options, &lm)) || check(edge_lm_session_create(lm, &first)))
    return 1;
  edge_lm_generate_params_t params = {0};
  params.max_tokens = (uint32_t)atoi(argv[4]);
  /* The prompt goes into the cache once; the fork shares those pages. */
  if (check(edge_lm_prefill(first, prompt, prompt_len)) || check(edge_lm_session_fork(first, &second)) ||
      check(edge_lm_session_start(first, NULL, 0, &params)) || check(edge_lm_session_start(second, NULL, 0, &params)))
    return 1;
  for (uint32_t busy = 1; busy;)
    if (check(edge_lm_step(lm, &busy))) return 1;
  print_session(first, prompt_len, tokenizer);
  print_session(second, prompt_len, tokenizer);
  edge_lm_session_release(first);
  edge_lm_session_release(second);
  edge_lm_release(lm);
  edge_tokenizer_release(tokenizer);
  edge_weights_release(weights);
  free(prompt);
  return 0;
}
