/*
 * soak: the LM scheduler under a long, random load, to find what only shows over time —
 * KV pages that are never returned, memory that grows, errors other than the documented
 * ones. Linked with the test Llama (compiled at build time).
 *
 *     soak [--seconds N] [--threads N] [--seed S] [--kv-pages N] [--report SECONDS]
 *
 * N app threads (default 4) share one LM (whose step also runs on N threads). Each loops:
 * a new session generates after a random prompt, sometimes continues, is forked and the
 * fork generates on, and is closed; meanwhile each thread now and then cancels a random
 * session another thread is generating. The KV pool is small, so sessions also run out of
 * pages. Every --report seconds it prints resident memory, KV pages in use and tokens per
 * second; at the end, after every session is closed, the pages still in use (must be 0)
 * and the resident memory's drift since the first report. Exits 1 on a leaked page or on a
 * status other than the documented ones (RESOURCE_EXHAUSTED for pages, INVALID_ARGUMENT
 * for a full context).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "edge/lm.h"
#include "llama.h"

#define MAX_THREADS 16

typedef struct {
  pthread_mutex_t lock;
  edge_lm_session_t *generating[MAX_THREADS]; /* what each thread generates now, or NULL */
} registry_t;

typedef struct {
  edge_lm_t *lm;
  registry_t *registry;
  int index, num_threads;
  uint64_t rng;
  double deadline;
  atomic_int *failed;
  atomic_ullong *tokens, *finishes; /* finishes[edge_lm_finish_t] */
  atomic_ullong *sessions, *forks, *cancels, *refused;
} worker_t;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t next_random(uint64_t *state, uint32_t bound) {
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return (uint32_t)(*state % bound);
}

static double resident_mb(void) {
  long pages = 0, resident = 0;
  FILE *statm = fopen("/proc/self/statm", "r");
  if (statm) {
    if (fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(statm);
  }
  return resident * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

/* A failure no caller could have expected: reported and counted. */
static void unexpected(worker_t *w, const char *what, edge_status_t status) {
  fprintf(stderr, "soak: thread %d: %s: %s\n", w->index, what, edge_status_message(status));
  atomic_store(w->failed, 1);
}

/* Generates on `session` after a random prompt, registered so that others may cancel it. */
static void generate(worker_t *w, edge_lm_session_t *session) {
  int32_t prompt[32];
  uint32_t length = 1 + next_random(&w->rng, 32);
  for (uint32_t i = 0; i < length; ++i) prompt[i] = (int32_t)next_random(&w->rng, 128);
  edge_lm_generate_params_t params = {0};
  params.max_tokens = 1 + next_random(&w->rng, 48);
  params.sampling.temperature = next_random(&w->rng, 2) ? 0.8f : 0.0f;
  params.sampling.seed = w->rng;
  pthread_mutex_lock(&w->registry->lock);
  w->registry->generating[w->index] = session;
  pthread_mutex_unlock(&w->registry->lock);
  edge_status_t status = edge_lm_generate(session, prompt, length, &params);
  pthread_mutex_lock(&w->registry->lock);
  w->registry->generating[w->index] = NULL;
  pthread_mutex_unlock(&w->registry->lock);
  const edge_status_code_t code = edge_status_code(status);
  if (status && code != EDGE_STATUS_RESOURCE_EXHAUSTED) { /* out of pages: the session's error, below */
    if (code == EDGE_STATUS_INVALID_ARGUMENT && strstr(edge_status_message(status), "context"))
      atomic_fetch_add(w->refused, 1); /* the session is full: documented, nothing changed */
    else
      unexpected(w, "edge_lm_generate", status);
    edge_status_free(status);
    return;
  }
  edge_status_free(status);
  edge_lm_finish_t finish = edge_lm_session_finish(session);
  edge_status_t error = edge_lm_session_error(session);
  if (finish == EDGE_LM_FINISH_ERROR && edge_status_code(error) != EDGE_STATUS_RESOURCE_EXHAUSTED)
    unexpected(w, "a session finished with", error);
  edge_lm_stats_t stats;
  edge_lm_session_stats(session, &stats);
  atomic_fetch_add(w->tokens, stats.generated_tokens);
  atomic_fetch_add(&w->finishes[finish], 1);
}

/* Cancels what a random other thread generates now, if anything. */
static void cancel_someone(worker_t *w) {
  int other = (int)next_random(&w->rng, (uint32_t)w->num_threads);
  pthread_mutex_lock(&w->registry->lock);
  if (other != w->index && w->registry->generating[other]) {
    edge_lm_session_cancel(w->registry->generating[other]);
    atomic_fetch_add(w->cancels, 1);
  }
  pthread_mutex_unlock(&w->registry->lock);
}

static void *work(void *arg) {
  worker_t *w = arg;
  while (now_s() < w->deadline && !atomic_load(w->failed)) {
    edge_lm_session_t *session = NULL;
    edge_status_t status = edge_lm_session_create(w->lm, &session);
    if (status) {
      unexpected(w, "edge_lm_session_create", status);
      edge_status_free(status);
      break;
    }
    atomic_fetch_add(w->sessions, 1);
    for (uint32_t turns = 1 + next_random(&w->rng, 3); turns; --turns) {
      if (next_random(&w->rng, 4) == 0) cancel_someone(w);
      generate(w, session);
    }
    if (next_random(&w->rng, 2) && edge_lm_session_finish(session) != EDGE_LM_FINISH_NONE) {
      edge_lm_session_t *fork = NULL;
      status = edge_lm_session_fork(session, &fork);
      if (status) {
        if (edge_status_code(status) != EDGE_STATUS_RESOURCE_EXHAUSTED) unexpected(w, "edge_lm_session_fork", status);
        edge_status_free(status);
      } else {
        atomic_fetch_add(w->forks, 1);
        if (next_random(&w->rng, 2)) { /* the parent goes first: the fork keeps the shared pages */
          edge_lm_session_release(session);
          session = NULL;
        }
        generate(w, fork);
        edge_lm_session_release(fork);
      }
    }
    edge_lm_session_release(session);
  }
  return NULL;
}

static int parse_option(const char *arg, const char *value, const char *name, double *out) {
  if (strcmp(arg, name) != 0) return 0;
  char *end = NULL;
  *out = value ? strtod(value, &end) : -1;
  if (!value || end == value || *end || *out < 0) {
    fprintf(stderr, "soak: %s: expected a non-negative number: %s\n", name, value ? value : "(none)");
    exit(2);
  }
  return 1;
}

int main(int argc, char **argv) {
  double seconds = 60, threads = 4, seed = 1, kv_pages = 24, report = 10;
  for (int i = 1; i < argc; i += 2) {
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (!parse_option(argv[i], value, "--seconds", &seconds) && !parse_option(argv[i], value, "--threads", &threads) &&
        !parse_option(argv[i], value, "--seed", &seed) && !parse_option(argv[i], value, "--kv-pages", &kv_pages) &&
        !parse_option(argv[i], value, "--report", &report)) {
      fprintf(stderr, "usage: soak [--seconds N] [--threads N] [--seed S] [--kv-pages N] [--report SECONDS]\n");
      return 2;
    }
  }
  const int num_threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : (int)threads;
  edge_weights_t *weights = NULL;
  edge_status_t status = edge_weights_open(EDGE_SOAK_WEIGHTS, EDGE_WEIGHTS_OPEN_VERIFY_CHECKSUMS, &weights);
  const edge_model_desc_t *model = llama_model();
  const edge_lm_desc_t *geometry = model->lm;
  edge_lm_options_t options = {0};
  options.num_threads = (uint32_t)num_threads;
  options.kv.page_tokens = 16;
  /* f32 K and V of every layer and KV head for 16 positions: one page. */
  options.kv.budget_bytes =
      (uint64_t)kv_pages * 16 * 2 * geometry->num_layers * geometry->num_kv_heads * geometry->head_dim * sizeof(float);
  edge_lm_t *lm = NULL;
  if (!status) status = edge_lm_create(model, weights, &options, &lm);
  if (status) {
    fprintf(stderr, "soak: %s\n", edge_status_message(status));
    edge_status_free(status);
    edge_weights_release(weights);
    return 1;
  }

  registry_t registry = {PTHREAD_MUTEX_INITIALIZER, {0}};
  atomic_int failed = 0;
  atomic_ullong tokens = 0, finishes[6] = {0}, sessions = 0, forks = 0, cancels = 0, refused = 0;
  worker_t workers[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  const double start = now_s();
  for (int t = 0; t < num_threads; ++t) {
    workers[t] = (worker_t){lm,       &registry, t,         num_threads, (uint64_t)seed * 7919 + t + 1,
                            start + seconds, &failed, &tokens, finishes,    &sessions, &forks, &cancels, &refused};
    pthread_create(&ids[t], NULL, work, &workers[t]);
  }
  printf("soak: %d app threads on one LM (%d step threads), KV pool of %.0f pages of 16 tokens, %.0f s\n",
         num_threads, num_threads, kv_pages, seconds);
  printf("%8s %10s %9s %10s %10s %8s\n", "time_s", "rss_mb", "kv_used", "kv_peak", "tokens", "tok/s");
  double first_rss = -1, last_report = start;
  unsigned long long last_tokens = 0;
  while (now_s() < start + seconds && !atomic_load(&failed)) {
    usleep(100 * 1000);
    double now = now_s();
    if (now - last_report < report && now < start + seconds) continue;
    edge_kv_pool_stats_t kv;
    edge_lm_kv_stats(lm, &kv);
    double rss = resident_mb();
    if (first_rss < 0) first_rss = rss;
    unsigned long long total = atomic_load(&tokens);
    printf("%8.1f %10.1f %9u %10u %10llu %8.1f\n", now - start, rss, kv.pages_used, kv.pages_peak, total,
           (total - last_tokens) / (now - last_report));
    fflush(stdout);
    last_report = now;
    last_tokens = total;
  }
  for (int t = 0; t < num_threads; ++t) pthread_join(ids[t], NULL);
  edge_kv_pool_stats_t kv;
  edge_lm_kv_stats(lm, &kv);
  const double rss = resident_mb();
  printf("sessions %llu, forks %llu, cancels sent %llu, full contexts refused %llu; finishes: length %llu, "
         "stop %llu, cancelled %llu, out of KV pages %llu\n",
         (unsigned long long)sessions, (unsigned long long)forks, (unsigned long long)cancels,
         (unsigned long long)refused, (unsigned long long)finishes[EDGE_LM_FINISH_LENGTH],
         (unsigned long long)finishes[EDGE_LM_FINISH_STOP], (unsigned long long)finishes[EDGE_LM_FINISH_CANCELLED],
         (unsigned long long)finishes[EDGE_LM_FINISH_ERROR]);
  printf("KV pages in use after every session closed: %u of %u (peak %u)\n", kv.pages_used, kv.pages_total,
         kv.pages_peak);
  printf("resident memory: %.1f MB at the first report, %.1f MB at the end (drift %+.1f MB)\n", first_rss, rss,
         rss - first_rss);
  edge_lm_release(lm);
  edge_weights_release(weights);
  if (kv.pages_used) fprintf(stderr, "soak: %u KV pages leaked\n", kv.pages_used);
  return atomic_load(&failed) || kv.pages_used ? 1 : 0;
}
