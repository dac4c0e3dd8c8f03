/*
 * ukernels/panel_matmul_driver.h — the f32 panel matmul (panel_matmul.h) every variant builds.
 *
 * A variant .c file includes it after qmatmul_driver.h (whose uk_row, uk_at and
 * uk_parallel it uses), optionally defining first
 *   UK_F32_LANES   floats per vector register (default 4)
 *   UK_F32_ROWS    rows per register tile when there are several (default 4)
 *   UK_F32_PANELS  panels per register tile of a single row (default 2)
 * so that UK_F32_ROWS x (P / UK_F32_LANES) accumulators, or UK_F32_PANELS x that for one
 * row, fit the register file with the weights' vectors beside them.
 *
 * The vectors are clang/GCC vector types; `acc += a * w` contracts to one fused
 * multiply-add where the target has it, the same in the vector and the scalar paths.
 */
#ifndef EDGE_UKERNELS_PANEL_MATMUL_DRIVER_H_
#define EDGE_UKERNELS_PANEL_MATMUL_DRIVER_H_

#include "ukernels/panel_matmul.h"

#ifndef UK_F32_LANES
#define UK_F32_LANES 4
#endif
#ifndef UK_F32_ROWS
#define UK_F32_ROWS 4
#endif
#ifndef UK_F32_PANELS
#define UK_F32_PANELS 2
#endif
/* Vectors per panel row the vector path takes (P up to 4 x UK_F32_LANES). */
#define UK_F32_MAX_VECTORS 4
/* Panels per parallel work item: whole multiples of the single-row tile. */
#define UK_F32_TILE_PANELS (2 * UK_F32_PANELS)
/* K values per pass of a row tile over a panel when there are rows enough to tile: the
 * panel's slice (UK_F32_KC x P floats) stays in L1 while every row tile uses it. The
 * accumulators go to C and back between passes, which leaves each sum's order as it is. */
#define UK_F32_KC 256

#define UK_PANEL_ENTRY UK_NAME(_mlir_ciface_edge_uk_panel_matmul_, UK_VARIANT)

typedef float uk_vf32 __attribute__((vector_size(4 * UK_F32_LANES)));

static inline uk_vf32 uk_vload(const float *p) {
  uk_vf32 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline void uk_vstore(float *p, uk_vf32 v) { __builtin_memcpy(p, &v, sizeof v); }

typedef struct uk_panel_job_t {
  const edge_uk_memref3d_f32 *a, *w;
  edge_uk_memref3d_f32 *c;
  int64_t m, k, width, panels; /* width: P */
  int accumulate;              /* C's values are the sums' starting points, else +0 */
} uk_panel_job_t;

/* C[j..j+L) of row r as a vector (its stride may be anything). */
static inline uk_vf32 uk_c_load(const uk_panel_job_t *job, int64_t r, int64_t j) {
  if (job->c->strides[2] == 1) return uk_vload(uk_at(job->c, r, j));
  uk_vf32 v;
  for (int i = 0; i < UK_F32_LANES; ++i) v[i] = *uk_at(job->c, r, j + i);
  return v;
}
static inline void uk_c_store(const uk_panel_job_t *job, int64_t r, int64_t j, uk_vf32 v) {
  if (job->c->strides[2] == 1) {
    uk_vstore(uk_at(job->c, r, j), v);
    return;
  }
  for (int i = 0; i < UK_F32_LANES; ++i) *uk_at(job->c, r, j + i) = v[i];
}

/* Rows [r0, r0 + R) by panels [p0, p0 + Q) over k in [k0, k1), V vectors per panel row:
 * R x Q x V accumulators in registers, from C (or +0 for the first slice of a call that
 * does not accumulate) and back to it. Called with constant R, Q and V
 * (the loops unroll and the arrays become registers). */
static inline __attribute__((always_inline)) void uk_panel_block(const uk_panel_job_t *job, int64_t r0, int64_t p0,
                                                                  int64_t k0, int64_t k1, const int R, const int Q,
                                                                  const int V) {
  const int64_t width = job->width, sa = job->a->strides[2];
  const float *rows[UK_F32_ROWS];
  const float *panels[UK_F32_TILE_PANELS];
  uk_vf32 acc[UK_F32_ROWS][UK_F32_TILE_PANELS][UK_F32_MAX_VECTORS];
  uk_vf32 wv[UK_F32_TILE_PANELS][UK_F32_MAX_VECTORS];
  for (int r = 0; r < R; ++r) rows[r] = uk_row(job->a, r0 + r);
  for (int q = 0; q < Q; ++q) panels[q] = job->w->aligned + job->w->offset + (p0 + q) * job->w->strides[0];
  const int from_c = job->accumulate || k0 > 0;
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < Q; ++q)
      for (int v = 0; v < V; ++v)
        acc[r][q][v] = from_c ? uk_c_load(job, r0 + r, (p0 + q) * width + v * UK_F32_LANES) : (uk_vf32){0};
  for (int64_t kk = k0; kk < k1; ++kk) {
    for (int q = 0; q < Q; ++q)
      for (int v = 0; v < V; ++v) wv[q][v] = uk_vload(panels[q] + kk * width + v * UK_F32_LANES);
    for (int r = 0; r < R; ++r) {
      const float x = rows[r][kk * sa];
      for (int q = 0; q < Q; ++q)
        for (int v = 0; v < V; ++v) acc[r][q][v] += x * wv[q][v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < Q; ++q)
      for (int v = 0; v < V; ++v) uk_c_store(job, r0 + r, (p0 + q) * width + v * UK_F32_LANES, acc[r][q][v]);
}

/* Panels [p0, p1) of every row, V vectors per panel row. Fewer rows than a row tile
 * (decode): each row over UK_F32_PANELS panels at once and the whole K (independent
 * accumulators keep the FMA units busy while the weights stream by). More (prefill): one
 * panel at a time, in slices of UK_F32_KC values of k, each slice used by every row tile
 * while it is in L1, the rows left over one at a time. */
static inline __attribute__((always_inline)) void uk_panel_range(const uk_panel_job_t *job, int64_t p0, int64_t p1,
                                                                  const int V) {
  const int64_t m = job->m, k = job->k;
  if (m < UK_F32_ROWS) {
    for (int64_t r = 0; r < m; ++r) {
      int64_t p = p0;
      for (; p + UK_F32_PANELS <= p1; p += UK_F32_PANELS) uk_panel_block(job, r, p, 0, k, 1, UK_F32_PANELS, V);
      for (; p < p1; ++p) uk_panel_block(job, r, p, 0, k, 1, 1, V);
    }
    return;
  }
  for (int64_t p = p0; p < p1; ++p)
    for (int64_t k0 = 0; k0 < k; k0 += UK_F32_KC) {
      const int64_t k1 = k0 + UK_F32_KC < k ? k0 + UK_F32_KC : k;
      int64_t r = 0;
      for (; r + UK_F32_ROWS <= m; r += UK_F32_ROWS) uk_panel_block(job, r, p, k0, k1, UK_F32_ROWS, 1, V);
      for (; r < m; ++r) uk_panel_block(job, r, p, k0, k1, 1, 1, V);
    }
}

/* Panels [p0, p1) for any layout, one value at a time in the same order. */
static void uk_panel_range_scalar(const uk_panel_job_t *job, int64_t p0, int64_t p1) {
  const edge_uk_memref3d_f32 *w = job->w;
  for (int64_t r = 0; r < job->m; ++r) {
    const float *row = uk_row(job->a, r);
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t i = 0; i < job->width; ++i) {
        const float *column = w->aligned + w->offset + p * w->strides[0] + i * w->strides[2];
        float acc = job->accumulate ? *uk_at(job->c, r, p * job->width + i) : 0.0f;
        for (int64_t kk = 0; kk < job->k; ++kk) acc += row[kk * job->a->strides[2]] * column[kk * w->strides[1]];
        *uk_at(job->c, r, p * job->width + i) = acc;
      }
  }
}

static void uk_panel_item(void *raw, int64_t item) {
  const uk_panel_job_t *job = (const uk_panel_job_t *)raw;
  const int64_t p0 = item * UK_F32_TILE_PANELS;
  const int64_t p1 = p0 + UK_F32_TILE_PANELS < job->panels ? p0 + UK_F32_TILE_PANELS : job->panels;
  const edge_uk_memref3d_f32 *w = job->w;
  const int contiguous = w->strides[2] == 1 && w->strides[1] == job->width && job->width % UK_F32_LANES == 0;
  switch (contiguous ? job->width / UK_F32_LANES : 0) {
    case 1: uk_panel_range(job, p0, p1, 1); break;
    case 2: uk_panel_range(job, p0, p1, 2); break;
    case 3: uk_panel_range(job, p0, p1, 3); break;
    case 4: uk_panel_range(job, p0, p1, 4); break;
    default: uk_panel_range_scalar(job, p0, p1); break;
  }
}

void UK_PANEL_ENTRY(EDGE_UK_PANEL_MATMUL_ARGS) {
  uk_panel_job_t job;
  job.a = a;
  job.w = w;
  job.c = c;
  job.m = a->sizes[0] * a->sizes[1];
  job.k = a->sizes[2];
  job.panels = w->sizes[0];
  job.width = w->sizes[2];
  job.accumulate = accumulate != 0;
  if (job.m <= 0 || job.panels <= 0 || job.width <= 0) return;
  uk_parallel(imports, (job.panels + UK_F32_TILE_PANELS - 1) / UK_F32_TILE_PANELS, uk_panel_item, &job);
}

#endif /* EDGE_UKERNELS_PANEL_MATMUL_DRIVER_H_ */
