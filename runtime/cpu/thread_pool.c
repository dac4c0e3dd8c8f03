/* A small pthread pool: workers sleep on a condition variable between runs and take
 * items from a shared atomic counter during one. */
#include "cpu/thread_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "base/status.h"

struct edge_thread_pool_s {
  uint32_t threads;
  pthread_t *workers;
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  uint64_t generation; /* bumped for each run */
  int stopping;
  uint32_t busy;       /* workers still in the current run */
  /* the current run */
  edge_work_fn fn;
  void *context;
  int64_t count;
  atomic_llong next;
};

typedef struct worker_arg_t {
  edge_thread_pool_t *pool;
  uint32_t index;
} worker_arg_t;

static void take_items(edge_thread_pool_t *pool, uint32_t worker) {
  for (int64_t item; (item = atomic_fetch_add(&pool->next, 1)) < pool->count;) pool->fn(pool->context, item, worker);
}

static void *worker_main(void *raw) {
  worker_arg_t arg = *(worker_arg_t *)raw;
  free(raw);
  edge_thread_pool_t *pool = arg.pool;
  uint64_t seen = 0;
  pthread_mutex_lock(&pool->lock);
  for (;;) {
    while (!pool->stopping && pool->generation == seen) pthread_cond_wait(&pool->wake, &pool->lock);
    if (pool->stopping) break;
    seen = pool->generation;
    pthread_mutex_unlock(&pool->lock);
    take_items(pool, arg.index);
    pthread_mutex_lock(&pool->lock);
    if (--pool->busy == 0) pthread_cond_signal(&pool->done);
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
}

edge_status_t edge_thread_pool_create(uint32_t threads, edge_thread_pool_t **out_pool) {
  *out_pool = NULL;
  if (threads == 0 || threads > 256)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "thread count %u: expected 1 to 256", threads);
  edge_thread_pool_t *pool = calloc(1, sizeof(*pool));
  if (!pool) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  pool->threads = 1;
  pool->workers = calloc(threads, sizeof(pthread_t));
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  if (!pool->workers) {
    edge_thread_pool_release(pool);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  for (uint32_t i = 1; i < threads; ++i) {
    worker_arg_t *arg = malloc(sizeof(*arg));
    if (!arg) break;
    *arg = (worker_arg_t){pool, i};
    if (pthread_create(&pool->workers[i - 1], NULL, worker_main, arg) != 0) {
      free(arg);
      break;
    }
    pool->threads = i + 1;
  }
  if (pool->threads != threads) {
    edge_thread_pool_release(pool);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "could not start %u threads", threads);
  }
  *out_pool = pool;
  return NULL;
}

void edge_thread_pool_release(edge_thread_pool_t *pool) {
  if (!pool) return;
  pthread_mutex_lock(&pool->lock);
  pool->stopping = 1;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (uint32_t i = 1; i < pool->threads; ++i) pthread_join(pool->workers[i - 1], NULL);
  pthread_mutex_destroy(&pool->lock);
  pthread_cond_destroy(&pool->wake);
  pthread_cond_destroy(&pool->done);
  free(pool->workers);
  free(pool);
}

uint32_t edge_thread_pool_size(const edge_thread_pool_t *pool) { return pool ? pool->threads : 1; }

void edge_thread_pool_run(edge_thread_pool_t *pool, int64_t count, edge_work_fn fn, void *context) {
  if (!pool || pool->threads == 1 || count <= 1) {
    for (int64_t item = 0; item < count; ++item) fn(context, item, 0);
    return;
  }
  pthread_mutex_lock(&pool->lock);
  pool->fn = fn;
  pool->context = context;
  pool->count = count;
  atomic_store(&pool->next, 0);
  pool->busy = pool->threads - 1;
  ++pool->generation;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  take_items(pool, 0);
  pthread_mutex_lock(&pool->lock);
  while (pool->busy > 0) pthread_cond_wait(&pool->done, &pool->lock);
  pthread_mutex_unlock(&pool->lock);
}
