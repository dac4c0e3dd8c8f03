/*
 * edge/lm.h — text generation with a causal LM compiled by edgec (EDGE_MODEL_KIND_CAUSAL_LM).
 *
 * One edge_lm_t binds a compiled model to its weights (one mmap, shared) and owns the paged
 * KV cache (edge/kv_cache.h). Sessions are conversations on it. A session is given a
 * prompt with edge_lm_session_start; then each edge_lm_step runs the model once over a
 * batch made of every busy session's next tokens — a chunk of its prompt (chunked prefill)
 * or its one newest token (decode) — and samples the next token of each session whose
 * pending tokens are all in the cache. edge_lm_generate does start + steps for one session.
 *
 *     edge_lm_t *lm; edge_lm_session_t *s;
 *     edge_lm_create(llama_model(), weights, NULL, &lm);
 *     edge_lm_session_create(lm, &s);
 *     edge_lm_generate_params_t params = {.max_tokens = 64};   // greedy
 *     edge_lm_generate(s, prompt, prompt_len, &params);
 *     edge_lm_session_tokens(s, &ids, &count);
 *
 * Thread safety: every function may be called from any thread; an edge_lm_t serializes
 * them under one lock, so calls on sessions of one model never run at the same time.
 * edge_lm_session_cancel takes no lock and may be called while another thread is inside
 * edge_lm_step or edge_lm_generate; the session stops at the next step. Token callbacks
 * run on the stepping thread with the lock held: they may call edge_lm_session_cancel and
 * nothing else of this API. Release sessions before their model, and a model only when no
 * other thread uses it.
 */
#ifndef EDGE_LM_H_
#define EDGE_LM_H_

#include <stdint.h>

#include "edge/edgert.h"
#include "edge/kv_cache.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct edge_lm_s edge_lm_t;
typedef struct edge_lm_session_s edge_lm_session_t;

typedef struct edge_lm_options_t {
  edge_kv_options_t kv;     /* page size, budget, dtype, sliding window of the KV cache */
  uint32_t max_context;     /* positions one session may hold; 0 selects 2048, or the model's
                               max_positions (edge/model_abi.h) when that is smaller; more than
                               max_positions is INVALID_ARGUMENT */
  uint32_t prefill_chunk;   /* prompt tokens of one session per step, and of one run of
                               edge_lm_score; 0 selects 64 */
  uint32_t max_step_tokens; /* tokens of all sessions per step; 0 selects 256 */
  uint32_t num_threads;     /* threads of a step, the caller's included; 0 selects the fast
                               cores this process may run on (the big cores of a big.LITTLE
                               CPU: highest cpu_capacity, else highest maximum frequency).
                               The quantized matmuls and the attention kernel split their
                               work into items whose results do not depend on the thread
                               that computes them: the thread count never changes the tokens.
                               Workers spin briefly between the parallel loops of a step,
                               then sleep. Models on Vulkan ignore it. */
  uint32_t pin_threads;     /* nonzero: pin each worker thread (not the caller's) to one of
                               those fast cores, so the OS cannot move them to little cores
                               (Linux with glibc; elsewhere edge_lm_create fails with
                               UNIMPLEMENTED) */
  const char *vulkan_device; /* models compiled with --target vulkan: the device, by index or
                                by a substring of its name; NULL or "": $EDGE_VULKAN_DEVICE,
                                else the first discrete, integrated, then any device */
} edge_lm_options_t;

/* Errors: FAILED_PRECONDITION (not a causal LM, or weights of another model),
 * INVALID_ARGUMENT, RESOURCE_EXHAUSTED (KV budget, or no memory for the buffers of a step
 * of max_step_tokens, which are made here once). A model compiled with --target vulkan
 * runs on the device, its KV cache in device memory, and also gets the device's errors (no
 * device, missing features, out of device memory; see edge_graph_create_with_options), or
 * UNIMPLEMENTED when libedgert was built without Vulkan. `weights` must outlive the lm. */
edge_status_t edge_lm_create(const edge_model_desc_t *model, const edge_weights_t *weights,
                             const edge_lm_options_t *options, edge_lm_t **out_lm);
void edge_lm_release(edge_lm_t *lm);

/* Where the model runs: "cpu", or the Vulkan device's name. */
const char *edge_lm_device_name(const edge_lm_t *lm);
/* Pages of the shared KV cache (used, peak, total). */
void edge_lm_kv_stats(edge_lm_t *lm, edge_kv_pool_stats_t *out_stats);

typedef struct edge_sampling_t {
  float temperature;        /* <= 0: greedy (the lowest id among equal best logits) */
  uint32_t top_k;           /* keep the k most likely tokens; 0: all */
  float top_p;              /* keep the smallest set with this much probability; 0 or >= 1: all */
  float repetition_penalty; /* > 1 discourages tokens already in the session; 0 or 1: off */
  uint64_t seed;            /* the same seed gives the same tokens */
} edge_sampling_t;

/* Called for each generated token; return non-zero to stop the session there. */
typedef int (*edge_lm_token_fn)(void *user, edge_lm_session_t *session, int32_t token);

/* Returned by an edge_lm_logits_fn: sample from the logits as the callback left them. */
#define EDGE_LM_SAMPLE (-1)

/*
 * Called before each token of the session is chosen, with that step's logits for it:
 * `logits` holds `vocab` floats the callback may change (set a banned token to -INFINITY,
 * add a bias, keep only what a grammar allows); they belong to this session's step and are
 * discarded after it. Return EDGE_LM_SAMPLE to sample from them with the session's
 * edge_sampling_t (repetition penalty, temperature, top-k, top-p apply to the changed
 * logits), or an id in [0, vocab) to take that token without sampling. Any other value
 * finishes the session with EDGE_LM_FINISH_ERROR (INVALID_ARGUMENT naming the value).
 * Runs on the stepping thread with the model's lock held, like edge_lm_token_fn: it may
 * call edge_lm_session_cancel and nothing else of this API (it tracks what it needs, such
 * as a grammar's state, itself; on_token tells it each token taken).
 */
typedef int32_t (*edge_lm_logits_fn)(void *user, edge_lm_session_t *session, float *logits, uint32_t vocab);

typedef struct edge_lm_generate_params_t {
  edge_sampling_t sampling;
  uint32_t max_tokens;      /* tokens to generate at most; 0 selects 256 */
  const int32_t *stop_ids;  /* EOS and other ids that end generation (kept in the output) */
  uint32_t num_stop_ids;
  edge_lm_token_fn on_token; /* streaming; may be NULL */
  void *user;
  edge_lm_logits_fn on_logits; /* constrained decoding, logit bias; may be NULL (plain sampling) */
  void *logits_user;           /* on_logits' first argument */
} edge_lm_generate_params_t;

typedef enum edge_lm_finish_e {
  EDGE_LM_FINISH_NONE = 0,   /* still generating, or never started */
  EDGE_LM_FINISH_LENGTH = 1, /* max_tokens generated */
  EDGE_LM_FINISH_STOP = 2,   /* a stop id was generated */
  EDGE_LM_FINISH_CALLBACK = 3, /* on_token returned non-zero */
  EDGE_LM_FINISH_CANCELLED = 4,
  EDGE_LM_FINISH_ERROR = 5,  /* see edge_lm_session_error; the session stays usable */
} edge_lm_finish_t;

/* Name of a finish reason as logs and JSON spell it ("length", "stop", ...; "none"). */
static inline const char *edge_lm_finish_name(edge_lm_finish_t finish) {
  switch (finish) {
    case EDGE_LM_FINISH_LENGTH: return "length";
    case EDGE_LM_FINISH_STOP: return "stop";
    case EDGE_LM_FINISH_CALLBACK: return "callback";
    case EDGE_LM_FINISH_CANCELLED: return "cancelled";
    case EDGE_LM_FINISH_ERROR: return "error";
    default: return "none";
  }
}

typedef struct edge_lm_stats_t {
  uint32_t prompt_tokens;    /* of the last start */
  uint32_t generated_tokens; /* of the last start */
  double ttft_ms;            /* start to first generated token */
  double prefill_tokens_per_s;
  double decode_tokens_per_s; /* generated tokens after the first, over the time after it */
  uint32_t kv_pages;          /* pages the session references now */
} edge_lm_stats_t;

/* A new session with no tokens. */
edge_status_t edge_lm_session_create(edge_lm_t *lm, edge_lm_session_t **out_session);
/* A new session holding `parent`'s tokens and sharing its KV pages (copy on write): fork a
 * common prompt once, continue each fork differently. `parent` must not be generating. */
edge_status_t edge_lm_session_fork(edge_lm_session_t *parent, edge_lm_session_t **out_session);
void edge_lm_session_release(edge_lm_session_t *session);

/*
 * Appends `prompt` to the session and starts generating after it. Fails, changing
 * nothing, with INVALID_ARGUMENT when the session is already generating, an id is outside
 * the vocabulary, or the context would overflow (the message names session tokens, prompt
 * tokens, max_tokens and max_context). The prompt may be empty to continue generating.
 */
edge_status_t edge_lm_session_start(edge_lm_session_t *session, const int32_t *prompt,
                                    uint32_t prompt_len, const edge_lm_generate_params_t *params);
/* Asks a generating session to stop (finish reason CANCELLED). Lock-free; any thread. */
void edge_lm_session_cancel(edge_lm_session_t *session);

/* Runs one batched step. *out_busy: sessions still generating afterwards. A failure of the
 * model run itself is returned, and finishes every session of the step with
 * EDGE_LM_FINISH_ERROR, their caches as they were; per-session failures (KV pages
 * exhausted) finish that session with EDGE_LM_FINISH_ERROR and leave it usable. */
edge_status_t edge_lm_step(edge_lm_t *lm, uint32_t *out_busy);
/* edge_lm_session_start, then steps (of every busy session) until this one finishes. */
edge_status_t edge_lm_generate(edge_lm_session_t *session, const int32_t *prompt, uint32_t prompt_len,
                               const edge_lm_generate_params_t *params);

/* Puts `prompt` into the session's cache and samples nothing (steps until done): a common
 * prefix to fork sessions from. */
edge_status_t edge_lm_prefill(edge_lm_session_t *session, const int32_t *prompt, uint32_t prompt_len);

/*
 * Scores text for evaluation (perplexity, agreement between builds): appends `tokens` to
 * the session (its KV cache grows as with a prompt) and, for each i in [1, count), writes
 * out_logprobs[i - 1] = log p(tokens[i] | history, tokens[0..i-1]) and, if out_argmax is
 * not NULL, out_argmax[i - 1] = the most likely token at that point. The model runs over
 * chunks of prefill_chunk tokens with logits for every position. Fails with
 * INVALID_ARGUMENT (the session is generating, an id is outside the vocabulary, the context
 * would overflow) or RESOURCE_EXHAUSTED, leaving the session as it was.
 */
edge_status_t edge_lm_score(edge_lm_session_t *session, const int32_t *tokens, uint32_t count, float *out_logprobs,
                            int32_t *out_argmax);

/* All tokens of the session (prompts and generated ones); valid until the next call on it. */
void edge_lm_session_tokens(edge_lm_session_t *session, const int32_t **out_ids, uint32_t *out_count);
edge_lm_finish_t edge_lm_session_finish(edge_lm_session_t *session);
/* Why the session finished with EDGE_LM_FINISH_ERROR (NULL otherwise); owned by the
 * session, valid until it starts again or is released. */
edge_status_t edge_lm_session_error(edge_lm_session_t *session);
void edge_lm_session_stats(edge_lm_session_t *session, edge_lm_stats_t *out_stats);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_LM_H_ */
