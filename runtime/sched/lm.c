/* Causal LM sessions over one model and one KV pool, stepped in batches on the model's
 * backend (runtime/backend). */
#include "edge/lm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include "abi/attention_batch.h"
#include "abi/model_check.h"
#include "backend/backend.h"
#include "base/alloc.h"
#include "base/handle.h"
#include "base/status.h"
#include "sample/sampling.h"
#include "sched/step_buffers.h"

struct edge_lm_s {
  uint32_t magic; /* EDGE_HANDLE_LM (base/handle.h) */
  const edge_model_desc_t *model;
  edge_lm_options_t options;
  const edge_backend_t *backend;
  edge_backend_instance_t *instance; /* the model on its backend; owns the KV pool */
  edge_kv_pool_t *pool;
  pthread_mutex_t lock;
  edge_lm_session_t *sessions; /* all live sessions, in creation order */
  edge_step_buffers_t step;    /* what steps and edge_lm_score fill, under the lock */
  float *scratch;              /* 3 * vocab floats for sampling */
};

struct edge_lm_session_s {
  uint32_t magic; /* EDGE_HANDLE_SESSION */
  edge_lm_t *lm;
  edge_lm_session_t *next;
  edge_kv_seq_t *kv;
  int32_t *tokens; /* all tokens; those past the KV length are pending */
  uint32_t count, capacity;
  int generating;
  int prefill_only; /* finish once the pending tokens are cached, sampling nothing */
  atomic_int cancel_requested;
  edge_lm_generate_params_t params;
  int32_t *stop_ids; /* owned copy of params.stop_ids */
  uint64_t rng;
  edge_lm_finish_t finish;
  edge_status_t error;
  edge_lm_stats_t stats;
  double started_ms, first_token_ms;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

edge_status_t edge_lm_create(const edge_model_desc_t *model, const edge_weights_t *weights,
                             const edge_lm_options_t *options, edge_lm_t **out_lm) {
  if (!out_lm) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_lm is NULL");
  *out_lm = NULL;
  EDGE_RETURN_IF_ERROR(edge_model_check(model, weights, EDGE_MODEL_KIND_CAUSAL_LM));
  const edge_lm_desc_t *desc = model->lm;
  int select = desc->logits_indices != UINT32_MAX;
  if (desc->input_ids >= model->num_inputs || desc->position_ids >= model->num_inputs ||
      desc->logits >= model->num_outputs || model->num_inputs != 2u + select || model->num_outputs != 1 ||
      (select && desc->logits_indices >= model->num_inputs) || !desc->vocab_size)
    return edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "model '%s': malformed causal LM descriptor",
                            model->name);
  edge_lm_options_t opts = options ? *options : (edge_lm_options_t){0};
  /* Past the rows of its position tables a model would read garbage (or clamp): a session
   * is never allowed to grow that far. */
  const uint32_t positions = desc->max_positions;
  if (positions && opts.max_context > positions)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "max_context %u exceeds the %u positions model '%s' holds",
                            opts.max_context, positions, model->name);
  if (!opts.max_context) opts.max_context = positions && positions < 2048 ? positions : 2048;
  if (!opts.prefill_chunk) opts.prefill_chunk = 64;
  if (!opts.max_step_tokens) opts.max_step_tokens = 256;
  const edge_backend_t *backend = NULL;
  EDGE_RETURN_IF_ERROR(edge_backend_for_model(model, &backend));
  edge_lm_t *lm = edge_mem_calloc(1, sizeof(*lm));
  if (!lm) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  lm->magic = EDGE_HANDLE_LM;
  lm->model = model;
  lm->options = opts;
  lm->backend = backend;
  /* A step runs up to max_step_tokens tokens; edge_lm_score runs prefill_chunk at once. */
  uint32_t step_tokens = opts.max_step_tokens > opts.prefill_chunk ? opts.max_step_tokens : opts.prefill_chunk;
  edge_backend_lm_params_t params = {{desc->num_layers, desc->num_kv_heads, desc->head_dim}, opts.kv, step_tokens,
                                     opts.max_context, opts.num_threads, opts.pin_threads};
  edge_status_t status = backend->create(model, weights, opts.vulkan_device, &params, &lm->instance, &lm->pool);
  if (!status) status = edge_step_buffers_init(&lm->step, step_tokens, desc->vocab_size);
  if (!status) {
    lm->scratch = edge_mem_alloc(sizeof(float) * 3 * (size_t)desc->vocab_size);
    if (!lm->scratch) status = edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  if (status) {
    edge_step_buffers_free(&lm->step);
    backend->release(lm->instance);
    edge_mem_free(lm);
    return status;
  }
  pthread_mutex_init(&lm->lock, NULL);
  *out_lm = lm;
  return NULL;
}

void edge_lm_release(edge_lm_t *lm) {
  if (!lm) return;
  edge_handle_retire(&lm->magic, EDGE_HANDLE_LM, "edge_lm_release");
  while (lm->sessions) edge_lm_session_release(lm->sessions);
  lm->backend->release(lm->instance); /* the KV pool with it, now that no sequence is left */
  pthread_mutex_destroy(&lm->lock);
  edge_step_buffers_free(&lm->step);
  edge_mem_free(lm->scratch);
  edge_mem_free(lm);
}

const char *edge_lm_device_name(const edge_lm_t *lm) {
  return lm ? lm->backend->device_name(lm->instance) : NULL;
}

void edge_lm_kv_stats(edge_lm_t *lm, edge_kv_pool_stats_t *out_stats) {
  pthread_mutex_lock(&lm->lock);
  edge_kv_pool_stats(lm->pool, out_stats);
  pthread_mutex_unlock(&lm->lock);
}

/* Appended to a context overflow message when the model's position tables set the limit. */
static const char *context_origin(const edge_lm_t *lm) {
  return lm->options.max_context == lm->model->lm->max_positions ? " (the positions of the model)" : "";
}

static edge_status_t new_session(edge_lm_t *lm, edge_lm_session_t **out) {
  edge_lm_session_t *session = edge_mem_calloc(1, sizeof(*session));
  if (!session) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  session->magic = EDGE_HANDLE_SESSION;
  session->lm = lm;
  atomic_init(&session->cancel_requested, 0);
  edge_lm_session_t **tail = &lm->sessions;
  while (*tail) tail = &(*tail)->next;
  *tail = session;
  *out = session;
  return NULL;
}

static void unlink_session(edge_lm_session_t *session) {
  for (edge_lm_session_t **it = &session->lm->sessions; *it; it = &(*it)->next)
    if (*it == session) {
      *it = session->next;
      return;
    }
}

edge_status_t edge_lm_session_create(edge_lm_t *lm, edge_lm_session_t **out_session) {
  if (!out_session) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_session is NULL");
  *out_session = NULL;
  if (!lm) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "lm is NULL");
  pthread_mutex_lock(&lm->lock);
  edge_lm_session_t *session = NULL;
  edge_status_t status = new_session(lm, &session);
  if (!status) status = edge_kv_seq_create(lm->pool, &session->kv);
  if (status && session) {
    unlink_session(session);
    edge_mem_free(session);
  } else if (!status) {
    *out_session = session;
  }
  pthread_mutex_unlock(&lm->lock);
  return status;
}

edge_status_t edge_lm_session_fork(edge_lm_session_t *parent, edge_lm_session_t **out_session) {
  if (!out_session) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "out_session is NULL");
  *out_session = NULL;
  if (!parent) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "parent is NULL");
  edge_lm_t *lm = parent->lm;
  pthread_mutex_lock(&lm->lock);
  edge_status_t status = NULL;
  edge_lm_session_t *session = NULL;
  if (parent->generating) {
    status = edge_make_status(EDGE_STATUS_FAILED_PRECONDITION, "cannot fork a session while it generates");
  } else {
    status = new_session(lm, &session);
    if (!status) status = edge_kv_seq_fork(parent->kv, &session->kv);
    if (!status && parent->count) {
      session->tokens = edge_mem_alloc(sizeof(int32_t) * parent->count);
      if (!session->tokens) status = edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
      else memcpy(session->tokens, parent->tokens, sizeof(int32_t) * parent->count);
      session->count = session->capacity = parent->count;
    }
    if (status && session) {
      unlink_session(session);
      edge_kv_seq_release(session->kv);
      edge_mem_free(session->tokens);
      edge_mem_free(session);
    } else {
      *out_session = session;
    }
  }
  pthread_mutex_unlock(&lm->lock);
  return status;
}

void edge_lm_session_release(edge_lm_session_t *session) {
  if (!session) return;
  edge_handle_retire(&session->magic, EDGE_HANDLE_SESSION, "edge_lm_session_release");
  edge_lm_t *lm = session->lm;
  pthread_mutex_lock(&lm->lock);
  unlink_session(session);
  edge_kv_seq_release(session->kv);
  pthread_mutex_unlock(&lm->lock);
  edge_status_free(session->error);
  edge_mem_free(session->stop_ids);
  edge_mem_free(session->tokens);
  edge_mem_free(session);
}

/* Room for `total` tokens in the session. */
static edge_status_t reserve_tokens(edge_lm_session_t *session, uint64_t total) {
  if (total <= session->capacity) return NULL;
  uint64_t capacity = session->capacity ? session->capacity : 64;
  while (capacity < total) capacity *= 2;
  if (capacity > UINT32_MAX) capacity = UINT32_MAX;
  int32_t *tokens = edge_mem_realloc(session->tokens, sizeof(int32_t) * capacity);
  if (!tokens) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  session->tokens = tokens;
  session->capacity = (uint32_t)capacity;
  return NULL;
}

static edge_status_t append_tokens(edge_lm_session_t *session, const int32_t *ids, uint32_t n) {
  if (n == 0) return NULL; /* ids and the token buffer may both be NULL: no memcpy of them */
  EDGE_RETURN_IF_ERROR(reserve_tokens(session, (uint64_t)session->count + n));
  memcpy(session->tokens + session->count, ids, sizeof(int32_t) * n);
  session->count += n;
  return NULL;
}

static edge_status_t start_locked(edge_lm_session_t *session, const int32_t *prompt, uint32_t prompt_len,
                                  const edge_lm_generate_params_t *params) {
  edge_lm_t *lm = session->lm;
  if (session->generating)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "the session is already generating");
  if (prompt_len && !prompt) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "prompt is NULL");
  edge_lm_generate_params_t p = params ? *params : (edge_lm_generate_params_t){0};
  if (!p.max_tokens) p.max_tokens = 256;
  if (p.num_stop_ids && !p.stop_ids) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "stop_ids is NULL");
  uint32_t vocab = lm->model->lm->vocab_size;
  for (uint32_t i = 0; i < prompt_len; ++i)
    if (prompt[i] < 0 || (uint32_t)prompt[i] >= vocab)
      return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "prompt token %u is id %d; the vocabulary has %u",
                              i, prompt[i], vocab);
  if (session->count + prompt_len == 0)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "nothing to continue from: the prompt is empty");
  uint64_t needed = (uint64_t)session->count + prompt_len + p.max_tokens;
  if (needed > lm->options.max_context)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                            "context overflow: %u session tokens + %u prompt tokens + %u max_tokens = %llu "
                            "exceeds max_context %u%s",
                            session->count, prompt_len, p.max_tokens, (unsigned long long)needed,
                            lm->options.max_context, context_origin(lm));
  /* Room for every token of the generation now, so that decode steps never grow it. */
  EDGE_RETURN_IF_ERROR(reserve_tokens(session, needed));
  int32_t *stops = NULL;
  if (p.num_stop_ids) {
    stops = edge_mem_alloc(sizeof(int32_t) * p.num_stop_ids);
    if (!stops) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    memcpy(stops, p.stop_ids, sizeof(int32_t) * p.num_stop_ids);
  }
  /* Sampling needs the logits of the last token: when every token is cached already (a
   * fork, or a continuation with an empty prompt), the last one is computed again. */
  int64_t cached = edge_kv_seq_length(session->kv);
  if (prompt_len == 0 && cached == (int64_t)session->count) {
    edge_status_t status = edge_kv_seq_truncate(session->kv, cached - 1);
    if (status) {
      edge_mem_free(stops);
      return status;
    }
  }
  edge_status_t status = append_tokens(session, prompt, prompt_len);
  if (status) {
    edge_mem_free(stops);
    return status;
  }
  edge_mem_free(session->stop_ids);
  session->stop_ids = stops;
  p.stop_ids = stops;
  session->params = p;
  session->rng = p.sampling.seed;
  session->generating = 1;
  session->prefill_only = 0;
  atomic_store(&session->cancel_requested, 0);
  session->finish = EDGE_LM_FINISH_NONE;
  edge_status_free(session->error);
  session->error = NULL;
  memset(&session->stats, 0, sizeof(session->stats));
  session->stats.prompt_tokens = prompt_len;
  session->started_ms = now_ms();
  session->first_token_ms = 0;
  return NULL;
}

edge_status_t edge_lm_session_start(edge_lm_session_t *session, const int32_t *prompt, uint32_t prompt_len,
                                    const edge_lm_generate_params_t *params) {
  if (!session) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "session is NULL");
  pthread_mutex_lock(&session->lm->lock);
  edge_status_t status = start_locked(session, prompt, prompt_len, params);
  pthread_mutex_unlock(&session->lm->lock);
  return status;
}

void edge_lm_session_cancel(edge_lm_session_t *session) {
  if (session) atomic_store(&session->cancel_requested, 1);
}

static void finish(edge_lm_session_t *session, edge_lm_finish_t reason, edge_status_t error) {
  session->generating = 0;
  session->finish = reason;
  edge_status_free(session->error);
  session->error = error;
  double end = now_ms();
  if (session->first_token_ms > 0 && session->stats.generated_tokens > 1 && end > session->first_token_ms)
    session->stats.decode_tokens_per_s =
        (session->stats.generated_tokens - 1) * 1e3 / (end - session->first_token_ms);
}

/* Takes the sampled token, and finishes the session when it is done. */
static void on_sampled(edge_lm_session_t *session, int32_t token) {
  edge_status_t status = append_tokens(session, &token, 1);
  if (status) return finish(session, EDGE_LM_FINISH_ERROR, status);
  edge_lm_stats_t *stats = &session->stats;
  if (++stats->generated_tokens == 1) {
    session->first_token_ms = now_ms();
    stats->ttft_ms = session->first_token_ms - session->started_ms;
    if (stats->ttft_ms > 0) stats->prefill_tokens_per_s = stats->prompt_tokens * 1e3 / stats->ttft_ms;
  }
  const edge_lm_generate_params_t *p = &session->params;
  if (p->on_token && p->on_token(p->user, session, token)) return finish(session, EDGE_LM_FINISH_CALLBACK, NULL);
  for (uint32_t i = 0; i < p->num_stop_ids; ++i)
    if (p->stop_ids[i] == token) return finish(session, EDGE_LM_FINISH_STOP, NULL);
  if (stats->generated_tokens >= p->max_tokens) finish(session, EDGE_LM_FINISH_LENGTH, NULL);
}

/* The session's next token from its row of the step's logits (its own row, which the
 * app's on_logits may change): the callback's pick, or a sample. -1 when the callback
 * returned something that is neither, which finishes the session with an error. */
static int32_t choose_token(edge_lm_session_t *session, float *row, uint32_t vocab, float *scratch) {
  const edge_lm_generate_params_t *p = &session->params;
  if (p->on_logits) {
    int32_t picked = p->on_logits(p->logits_user, session, row, vocab);
    if (picked >= 0 && (uint32_t)picked < vocab) return picked;
    if (picked != EDGE_LM_SAMPLE) {
      finish(session, EDGE_LM_FINISH_ERROR,
             edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                              "on_logits returned %d: neither EDGE_LM_SAMPLE nor an id below the vocabulary of %u",
                              picked, vocab));
      return -1;
    }
  }
  return edge_sample(row, vocab, &p->sampling, session->tokens, session->count, &session->rng, scratch);
}

/* Runs the model on one step's batch on the LM's backend. */
static edge_status_t invoke(edge_lm_t *lm, edge_attention_batch_t *batch, const edge_tensor_t *inputs,
                            edge_tensor_t *output) {
  return lm->backend->step(lm->instance, batch, inputs, output);
}

/* One step over every generating session. Fills lm->step (made at create time for the
 * largest step), so that it allocates nothing itself. */
static edge_status_t step_locked(edge_lm_t *lm, uint32_t *out_busy) {
  edge_step_buffers_t *step = &lm->step;
  uint32_t num_sessions = 0, n = 0;
  edge_status_t status = NULL;

  /* Plan: every generating session's next pending tokens, as many as fit this step. Each
   * planned session takes at least one token, so sessions never outnumber the tokens. */
  for (edge_lm_session_t *s = lm->sessions; s; s = s->next) {
    if (!s->generating) continue;
    if (atomic_load(&s->cancel_requested)) {
      finish(s, EDGE_LM_FINISH_CANCELLED, NULL);
      continue;
    }
    uint32_t pending = s->count - (uint32_t)edge_kv_seq_length(s->kv);
    if (pending == 0) { /* start_locked always leaves a token to compute; never spin */
      finish(s, EDGE_LM_FINISH_ERROR, edge_make_status(EDGE_STATUS_INTERNAL, "session has no token to compute"));
      continue;
    }
    uint32_t take = pending < lm->options.prefill_chunk ? pending : lm->options.prefill_chunk;
    if (n + take > lm->options.max_step_tokens) take = lm->options.max_step_tokens - n;
    if (take == 0) continue;
    edge_status_t reserve = edge_kv_seq_reserve(s->kv, take);
    if (reserve) { /* this session stops here, its cache as it was; the others go on */
      finish(s, EDGE_LM_FINISH_ERROR, reserve);
      continue;
    }
    step->sessions[num_sessions] = s;
    step->seqs[num_sessions] = s->kv;
    step->take[num_sessions++] = take;
    n += take;
  }

  if (n > 0) {
    const edge_lm_desc_t *desc = lm->model->lm;
    uint32_t vocab = desc->vocab_size;
    int select = desc->logits_indices != UINT32_MAX;
    /* Logits rows: the last token of each session that samples after this step (with
     * edge-select-logits), or every token. A step that samples nothing still computes one
     * row: shapes stay non-empty. */
    uint32_t t = 0, num_rows = 0;
    for (uint32_t i = 0; i < num_sessions; ++i) {
      edge_lm_session_t *s = step->sessions[i];
      int64_t start = edge_kv_seq_length(s->kv);
      for (uint32_t j = 0; j < step->take[i]; ++j, ++t) {
        step->token_seq[t] = (int32_t)i;
        step->ids[t] = s->tokens[start + j];
        step->positions[t] = start + j;
      }
      int samples = start + step->take[i] == (int64_t)s->count && !s->prefill_only;
      step->row_of[i] = samples ? (int32_t)(select ? num_rows : t - 1) : -1;
      if (samples) step->rows[num_rows++] = t - 1;
    }
    if (num_rows == 0) step->rows[num_rows++] = n - 1;
    uint32_t logit_rows = select ? num_rows : n;
    edge_attention_batch_t batch = {n, step->token_seq, step->positions, step->seqs, num_sessions, 0, 0, NULL, NULL};
    edge_tensor_t inputs[3] = {{0}}, output = {0};
    inputs[desc->input_ids] = (edge_tensor_t){step->ids, EDGE_DTYPE_I64, 2, {1, n}};
    inputs[desc->position_ids] = (edge_tensor_t){step->positions, EDGE_DTYPE_I64, 2, {1, n}};
    if (select) inputs[desc->logits_indices] = (edge_tensor_t){step->rows, EDGE_DTYPE_I64, 1, {num_rows}};
    output = (edge_tensor_t){step->logits, EDGE_DTYPE_F32, 3, {1, logit_rows, vocab}};
    status = invoke(lm, &batch, inputs, &output);
    if (status) { /* nothing committed: each session's cache is as it was */
      for (uint32_t i = 0; i < num_sessions; ++i)
        finish(step->sessions[i], EDGE_LM_FINISH_ERROR,
               edge_make_status(edge_status_code(status), "%s", edge_status_message(status)));
      goto done;
    }
    for (uint32_t i = 0; i < num_sessions; ++i) {
      edge_lm_session_t *s = step->sessions[i];
      edge_kv_seq_commit(s->kv, step->take[i]);
      if ((uint32_t)edge_kv_seq_length(s->kv) < s->count) continue; /* more prompt to go */
      if (atomic_load(&s->cancel_requested)) {
        finish(s, EDGE_LM_FINISH_CANCELLED, NULL);
        continue;
      }
      if (s->prefill_only) {
        finish(s, EDGE_LM_FINISH_LENGTH, NULL);
        continue;
      }
      float *row = step->logits + (size_t)step->row_of[i] * vocab;
      int32_t token = choose_token(s, row, vocab, lm->scratch);
      if (token >= 0) on_sampled(s, token);
    }
  }

done:
  if (out_busy) {
    *out_busy = 0;
    for (edge_lm_session_t *s = lm->sessions; s; s = s->next) *out_busy += s->generating != 0;
  }
  for (edge_lm_session_t *s = lm->sessions; s; s = s->next) s->stats.kv_pages = edge_kv_seq_page_count(s->kv);
  return status;
}

edge_status_t edge_lm_step(edge_lm_t *lm, uint32_t *out_busy) {
  if (out_busy) *out_busy = 0;
  if (!lm) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "lm is NULL");
  pthread_mutex_lock(&lm->lock);
  edge_status_t status = step_locked(lm, out_busy);
  pthread_mutex_unlock(&lm->lock);
  return status;
}

static edge_status_t run_until_finished(edge_lm_session_t *session);

edge_status_t edge_lm_generate(edge_lm_session_t *session, const int32_t *prompt, uint32_t prompt_len,
                               const edge_lm_generate_params_t *params) {
  EDGE_RETURN_IF_ERROR(edge_lm_session_start(session, prompt, prompt_len, params));
  return run_until_finished(session);
}

edge_status_t edge_lm_prefill(edge_lm_session_t *session, const int32_t *prompt, uint32_t prompt_len) {
  if (!session) return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "session is NULL");
  edge_lm_generate_params_t params = {0};
  params.max_tokens = 1; /* counted against max_context, never sampled */
  pthread_mutex_lock(&session->lm->lock);
  edge_status_t status = start_locked(session, prompt, prompt_len, &params);
  if (!status) session->prefill_only = 1;
  pthread_mutex_unlock(&session->lm->lock);
  if (status) return status;
  return run_until_finished(session);
}

static edge_status_t run_until_finished(edge_lm_session_t *session) {
  edge_lm_t *lm = session->lm;
  for (;;) {
    pthread_mutex_lock(&lm->lock);
    int generating = session->generating;
    edge_status_t status = generating ? step_locked(lm, NULL) : NULL;
    pthread_mutex_unlock(&lm->lock);
    if (status) return status;
    if (!generating) break;
  }
  pthread_mutex_lock(&lm->lock);
  edge_status_t error = session->finish == EDGE_LM_FINISH_ERROR && session->error
                            ? edge_make_status(edge_status_code(session->error), "%s",
                                               edge_status_message(session->error))
                            : NULL;
  pthread_mutex_unlock(&lm->lock);
  return error;
}

void edge_lm_session_tokens(edge_lm_session_t *session, const int32_t **out_ids, uint32_t *out_count) {
  pthread_mutex_lock(&session->lm->lock);
  *out_ids = session->tokens;
  *out_count = session->count;
  pthread_mutex_unlock(&session->lm->lock);
}

edge_lm_finish_t edge_lm_session_finish(edge_lm_session_t *session) {
  pthread_mutex_lock(&session->lm->lock);
  edge_lm_finish_t reason = session->finish;
  pthread_mutex_unlock(&session->lm->lock);
  return reason;
}

edge_status_t edge_lm_session_error(edge_lm_session_t *session) {
  pthread_mutex_lock(&session->lm->lock);
  edge_status_t error = session->error;
  pthread_mutex_unlock(&session->lm->lock);
  return error;
}

void edge_lm_session_stats(edge_lm_session_t *session, edge_lm_stats_t *out_stats) {
  pthread_mutex_lock(&session->lm->lock);
  *out_stats = session->stats;
  out_stats->kv_pages = edge_kv_seq_page_count(session->kv);
  pthread_mutex_unlock(&session->lm->lock);
}

/* Runs `n` tokens of `session` (already appended, not yet cached; at most prefill_chunk)
 * with logits for every one of them into lm->step.logits [n, vocab]; commits them to the
 * cache. */
static edge_status_t run_all_rows(edge_lm_session_t *session, uint32_t n) {
  edge_lm_t *lm = session->lm;
  edge_step_buffers_t *b = &lm->step;
  const edge_lm_desc_t *desc = lm->model->lm;
  EDGE_RETURN_IF_ERROR(edge_kv_seq_reserve(session->kv, n));
  int64_t start = edge_kv_seq_length(session->kv);
  for (uint32_t j = 0; j < n; ++j) {
    b->token_seq[j] = 0;
    b->ids[j] = session->tokens[start + j];
    b->positions[j] = start + j;
    b->rows[j] = j;
  }
  b->seqs[0] = session->kv;
  edge_attention_batch_t batch = {n, b->token_seq, b->positions, b->seqs, 1, 0, 0, NULL, NULL};
  edge_tensor_t inputs[3] = {{0}};
  inputs[desc->input_ids] = (edge_tensor_t){b->ids, EDGE_DTYPE_I64, 2, {1, n}};
  inputs[desc->position_ids] = (edge_tensor_t){b->positions, EDGE_DTYPE_I64, 2, {1, n}};
  if (desc->logits_indices != UINT32_MAX) inputs[desc->logits_indices] = (edge_tensor_t){b->rows, EDGE_DTYPE_I64, 1, {n}};
  edge_tensor_t output = {b->logits, EDGE_DTYPE_F32, 3, {1, n, desc->vocab_size}};
  edge_status_t status = invoke(lm, &batch, inputs, &output);
  if (!status) edge_kv_seq_commit(session->kv, n);
  return status;
}

edge_status_t edge_lm_score(edge_lm_session_t *session, const int32_t *tokens, uint32_t count, float *out_logprobs,
                            int32_t *out_argmax) {
  if (!session || (!tokens && count) || (!out_logprobs && count > 1))
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "edge_lm_score: NULL argument");
  edge_lm_t *lm = session->lm;
  const uint32_t vocab = lm->model->lm->vocab_size;
  pthread_mutex_lock(&lm->lock);
  edge_status_t status = NULL;
  const uint32_t before = session->count;
  if (session->generating) {
    status = edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "edge_lm_score: the session is generating");
  } else if ((uint64_t)session->count + count > lm->options.max_context) {
    status = edge_make_status(EDGE_STATUS_INVALID_ARGUMENT,
                              "edge_lm_score: %u session tokens + %u tokens exceed max_context %u%s", session->count,
                              count, lm->options.max_context, context_origin(lm));
  } else {
    for (uint32_t i = 0; i < count && !status; ++i)
      if (tokens[i] < 0 || (uint32_t)tokens[i] >= vocab)
        status = edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "edge_lm_score: token %d at %u is outside the vocabulary of %u",
                                  tokens[i], i, vocab);
  }
  if (!status) status = append_tokens(session, tokens, count);
  const uint32_t chunk = lm->options.prefill_chunk;
  const float *logits = lm->step.logits; /* chunk rows fit: see edge_lm_create */
  const int64_t cached = session->kv ? edge_kv_seq_length(session->kv) : 0;
  for (uint32_t done = 0; !status && done < count;) {
    uint32_t n = count - done < chunk ? count - done : chunk;
    status = run_all_rows(session, n);
    for (uint32_t j = 0; !status && j < n; ++j) {
      uint32_t i = done + j; /* logits row j predicts tokens[i + 1] */
      if (i + 1 >= count) break;
      const float *row = logits + (size_t)j * vocab;
      float top = row[0];
      int32_t best = 0;
      for (uint32_t v = 1; v < vocab; ++v)
        if (row[v] > top) top = row[v], best = (int32_t)v;
      double sum = 0;
      for (uint32_t v = 0; v < vocab; ++v) sum += exp((double)(row[v] - top));
      out_logprobs[i] = (float)((double)(row[tokens[i + 1]] - top) - log(sum));
      if (out_argmax) out_argmax[i] = best;
    }
    done += n;
  }
  if (status && session->count > before) { /* leave the session as it was */
    edge_kv_seq_truncate(session->kv, cached);
    session->count = before;
  }
  pthread_mutex_unlock(&lm->lock);
  return status;
}
