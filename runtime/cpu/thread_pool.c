/* A small pthread pool. A run publishes its work by bumping an atomic generation. Each
 * thread owns a contiguous share of the items and takes them in order, then helps the
 * others with what is left of theirs: a quantized matmul's threads then stream separate
 * regions of the weights, which the memory system serves far better than threads
 * alternating over neighbouring tiles, and no item waits on a slow thread. Between runs a worker spins for a while (a
 * decode step runs a few hundred short parallel loops, and a condition-variable wake-up
 * per loop would cost more than many of them take) and then sleeps on a condition
 * variable, so an idle pool costs nothing. */
#define _GNU_SOURCE /* pthread_setaffinity_np */
#include "cpu/thread_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "base/status.h"

/* Polls of the generation before a worker sleeps: a few hundred microseconds. */
#define SPIN_POLLS 2000

/* A thread's share of a run: items [next, end), taken from the front by anyone. */
typedef struct share_t {
  _Alignas(64) atomic_llong next;
  int64_t end;
} share_t;

struct edge_thread_pool_s {
  uint32_t threads;
  pthread_t *workers;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  atomic_uint_fast64_t generation; /* bumped for each run, and to stop */
  atomic_int stopping;
  atomic_uint busy;  /* workers not yet done with the current run */
  uint32_t sleeping; /* workers waiting on `wake`; under lock */
  /* the current run, written before its generation is published */
  edge_work_fn fn;
  void *context;
  share_t *shares; /* one per thread */
};

typedef struct worker_arg_t {
  edge_thread_pool_t *pool;
  uint32_t index;
} worker_arg_t;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

/* This worker's share, then what is left of the others'. */
static void take_items(edge_thread_pool_t *pool, uint32_t worker) {
  for (uint32_t k = 0; k < pool->threads; ++k) {
    share_t *share = &pool->shares[(worker + k) % pool->threads];
    for (int64_t item; (item = atomic_fetch_add_explicit(&share->next, 1, memory_order_relaxed)) < share->end;)
      pool->fn(pool->context, item, worker);
  }
}

/* Waits until the generation differs from `seen`; returns the new one. */
static uint64_t await_run(edge_thread_pool_t *pool, uint64_t seen) {
  for (int polls = 0; polls < SPIN_POLLS; ++polls) {
    uint64_t now = atomic_load_explicit(&pool->generation, memory_order_acquire);
    if (now != seen) return now;
    cpu_relax();
  }
  pthread_mutex_lock(&pool->lock);
  ++pool->sleeping;
  uint64_t now;
  while ((now = atomic_load_explicit(&pool->generation, memory_order_acquire)) == seen)
    pthread_cond_wait(&pool->wake, &pool->lock);
  --pool->sleeping;
  pthread_mutex_unlock(&pool->lock);
  return now;
}

static void *worker_main(void *raw) {
  worker_arg_t arg = *(worker_arg_t *)raw;
  edge_mem_free(raw);
  edge_thread_pool_t *pool = arg.pool;
  for (uint64_t seen = 0;;) {
    seen = await_run(pool, seen);
    if (atomic_load_explicit(&pool->stopping, memory_order_acquire)) break;
    take_items(pool, arg.index);
    atomic_fetch_sub_explicit(&pool->busy, 1, memory_order_release);
  }
  return NULL;
}

/* Publishes a new generation and wakes the workers that sleep. */
static void publish(edge_thread_pool_t *pool) {
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  pthread_mutex_lock(&pool->lock); /* a worker between its check and its wait holds it */
  if (pool->sleeping) pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
}

edge_status_t edge_thread_pool_create(uint32_t threads, edge_thread_pool_t **out_pool) {
  *out_pool = NULL;
  if (threads == 0 || threads > 256)
    return edge_make_status(EDGE_STATUS_INVALID_ARGUMENT, "thread count %u: expected 1 to 256", threads);
  edge_thread_pool_t *pool = edge_mem_calloc(1, sizeof(*pool));
  if (!pool) return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  pool->threads = 1;
  pool->workers = edge_mem_calloc(threads, sizeof(pthread_t));
  pool->shares = edge_mem_aligned_alloc(_Alignof(share_t), sizeof(share_t) * threads);
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->stopping, 0);
  atomic_init(&pool->busy, 0);
  if (!pool->workers || !pool->shares) {
    edge_mem_free(pool->shares);
    pool->shares = NULL;
    edge_thread_pool_release(pool);
    return edge_make_status(EDGE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  for (uint32_t i = 1; i < threads; ++i) {
    worker_arg_t *arg = edge_mem_alloc(sizeof(*arg));
    if (!arg) break;
    *arg = (worker_arg_t){pool, i};
    if (pthread_create(&pool->workers[i - 1], NULL, worker_main, arg) != 0) {
      edge_mem_free(arg);
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
  atomic_store_explicit(&pool->stopping, 1, memory_order_release);
  publish(pool);
  for (uint32_t i = 1; i < pool->threads; ++i) pthread_join(pool->workers[i - 1], NULL);
  pthread_mutex_destroy(&pool->lock);
  pthread_cond_destroy(&pool->wake);
  edge_mem_free(pool->shares);
  edge_mem_free(pool->workers);
  edge_mem_free(pool);
}

uint32_t edge_thread_pool_size(const edge_thread_pool_t *pool) { return pool ? pool->threads : 1; }

edge_status_t edge_thread_pool_pin(edge_thread_pool_t *pool, const int *cpus, uint32_t count) {
  if (!pool || pool->threads == 1) return NULL;
  if (!count) return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "no CPU list to pin the worker threads to");
#if defined(__linux__) && !defined(__ANDROID__) /* bionic has no pthread_setaffinity_np */
  for (uint32_t i = 1; i < pool->threads; ++i) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus[(i - 1) % count], &set);
    int error = pthread_setaffinity_np(pool->workers[i - 1], sizeof set, &set);
    if (error != 0)
      return edge_make_status(EDGE_STATUS_INTERNAL, "pinning worker %u to CPU %d failed (error %d)", i,
                              cpus[(i - 1) % count], error);
  }
  return NULL;
#else
  (void)cpus;
  return edge_make_status(EDGE_STATUS_UNIMPLEMENTED, "pinning threads is implemented for Linux with glibc only");
#endif
}

void edge_thread_pool_run(edge_thread_pool_t *pool, int64_t count, edge_work_fn fn, void *context) {
  if (!pool || pool->threads == 1 || count <= 1) {
    for (int64_t item = 0; item < count; ++item) fn(context, item, 0);
    return;
  }
  pool->fn = fn;
  pool->context = context;
  for (uint32_t t = 0; t < pool->threads; ++t) {
    atomic_store_explicit(&pool->shares[t].next, count * t / pool->threads, memory_order_relaxed);
    pool->shares[t].end = count * (t + 1) / pool->threads;
  }
  atomic_store_explicit(&pool->busy, pool->threads - 1, memory_order_relaxed);
  publish(pool);
  take_items(pool, 0);
  /* The workers finish their last items; one that was descheduled gets the core back. */
  for (uint32_t polls = 0; atomic_load_explicit(&pool->busy, memory_order_acquire) != 0; ++polls) {
    if (polls < SPIN_POLLS) cpu_relax();
    else sched_yield();
  }
}
