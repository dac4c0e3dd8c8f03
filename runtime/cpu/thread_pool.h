/*
 * Internal: a fixed pool of worker threads that split a range of independent work items
 * with the calling thread. Work items must not depend on which thread runs them, so
 * results never depend on the thread count.
 */
#ifndef EDGE_CPU_THREAD_POOL_H_
#define EDGE_CPU_THREAD_POOL_H_

#include <stdint.h>

#include "edge/edgert.h"

typedef struct edge_thread_pool_s edge_thread_pool_t;

/* fn(context, item, worker) for item in [0, count); worker in [0, threads) names the
 * thread, for per-thread scratch. */
typedef void (*edge_work_fn)(void *context, int64_t item, uint32_t worker);

/* `threads` counts the caller: 1 starts no thread. */
edge_status_t edge_thread_pool_create(uint32_t threads, edge_thread_pool_t **out_pool);
void edge_thread_pool_release(edge_thread_pool_t *pool);
uint32_t edge_thread_pool_size(const edge_thread_pool_t *pool); /* 1 for NULL */

/* Pins worker i (1 <= i < threads) to cpus[(i - 1) % count]; the calling thread is the
 * app's and stays as it is. UNIMPLEMENTED where threads cannot be pinned (not Linux),
 * INTERNAL when the system refuses; the pool works either way. */
edge_status_t edge_thread_pool_pin(edge_thread_pool_t *pool, const int *cpus, uint32_t count);

/* Runs every item and returns when all are done. One run at a time per pool. */
void edge_thread_pool_run(edge_thread_pool_t *pool, int64_t count, edge_work_fn fn, void *context);

#endif /* EDGE_CPU_THREAD_POOL_H_ */
