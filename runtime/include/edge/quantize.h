/*
 * edge/quantize.h — f32 rows to the block formats of edge/weights_format.h.
 *
 * Part of the compiler/runtime contract: the one definition of how edgec quantizes weights: the weight packer (C++) streams rows
 * through these, and the kernel tests build their weights with them. Scales are rounded to
 * f16 before the values are quantized against them, so stored values are what was meant.
 */
#ifndef EDGE_QUANTIZE_H_
#define EDGE_QUANTIZE_H_

#include <stdint.h>

#include "edge/model_abi.h"

/* IEEE binary32 to binary16, round to nearest even (overflow to infinity). */
static inline uint16_t edge_f32_to_f16(float value) {
  uint32_t bits;
  __builtin_memcpy(&bits, &value, sizeof bits);
  const uint32_t sign = (bits >> 16) & 0x8000u, magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) return (uint16_t)(sign | (magnitude > 0x7f800000u ? 0x7e00u : 0x7c00u));
  if (magnitude >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* >= 65520 */
  if (magnitude < 0x38800000u) {                                   /* below 2^-14: subnormal */
    float scaled;
    __builtin_memcpy(&scaled, &magnitude, sizeof scaled);
    scaled *= 16777216.0f; /* units of 2^-24, exact */
    uint32_t units = (uint32_t)scaled;
    float rest = scaled - (float)units;
    if (rest > 0.5f || (rest == 0.5f && (units & 1u))) ++units;
    return (uint16_t)(sign | units);
  }
  uint32_t half = (((magnitude >> 23) - 112u) << 10) | ((magnitude & 0x7fffffu) >> 13);
  const uint32_t rest = magnitude & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half; /* may carry into the exponent: right */
  return (uint16_t)(sign | half);
}

static inline float edge_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu, bits;
  if (exponent == 0) {
    float value = (float)mantissa * (1.0f / 16777216.0f);
    return sign ? -value : value;
  }
  bits = exponent == 31 ? (sign | 0x7f800000u | (mantissa << 13)) : (sign | ((exponent + 112) << 23) | (mantissa << 13));
  float value;
  __builtin_memcpy(&value, &bits, sizeof value);
  return value;
}

static inline int32_t edge_round_to_int(float value) { return (int32_t)(value + (value < 0 ? -0.5f : 0.5f)); }

static inline void edge_store_f16(uint8_t *out, float value) {
  uint16_t h = edge_f32_to_f16(value);
  __builtin_memcpy(out, &h, sizeof h);
}

/* Nibble position of value j (0 <= j < block) within its block: byte, and shift 0 or 4. */
static inline void edge_nibble_slot(int64_t j, int64_t *byte, int *shift) {
  *byte = (j / 16) * 8 + (j % 8);
  *shift = (j % 16) < 8 ? 0 : 4;
}

/* edge_f16_to_f32(edge_f32_to_f16(value)), with the common case (a normal f16) as plain
 * bit arithmetic: round the 23-bit mantissa to 10 bits, to nearest even. */
static inline float edge_round_to_f16(float value) {
  uint32_t bits;
  __builtin_memcpy(&bits, &value, sizeof bits);
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude < 0x38800000u || magnitude >= 0x477ff000u) return edge_f16_to_f32(edge_f32_to_f16(value));
  bits = (bits + 0xfffu + ((bits >> 13) & 1u)) & ~0x1fffu;
  __builtin_memcpy(&value, &bits, sizeof value);
  return value;
}

/* The q4_0 step search tries its 21 candidate steps side by side (one vector lane each,
 * padded to 24), so each value of the block is read once and nothing is summed across
 * lanes; each candidate's sums run over the block in order, without contraction into
 * FMAs, so every build picks the same step on every machine. */
#define EDGE_Q4_CANDIDATES 24
#if defined(__clang__)
#define EDGE_NO_FP_CONTRACT _Pragma("clang fp contract(off)")
#define EDGE_NO_FP_CONTRACT_FN
#elif defined(__GNUC__)
#define EDGE_NO_FP_CONTRACT
#define EDGE_NO_FP_CONTRACT_FN __attribute__((optimize("fp-contract=off")))
#else
#define EDGE_NO_FP_CONTRACT
#define EDGE_NO_FP_CONTRACT_FN
#endif

/* The q4_0 code of a value already divided by the step: round half away from zero,
 * clamped to -8..7 (as edge_round_to_int and the clamp of edge_quantize_row); clamped
 * first so the conversion stays in int32 range, which gives the same code. */
static inline float edge_q4_0_code(float scaled) {
  scaled = scaled > 8.0f ? 8.0f : (scaled < -9.0f ? -9.0f : scaled);
  const float q = (float)(int32_t)(scaled + (scaled < 0.0f ? -0.5f : 0.5f));
  return q > 7.0f ? 7.0f : (q < -8.0f ? -8.0f : q);
}

/* sum of (x - d q)^2 for q = round(x / d) clamped to -8..7, as the block is stored at step
 * d; in 16 lanes (a block is a multiple of 16 values) summed pairwise, in a fixed order. */
EDGE_NO_FP_CONTRACT_FN static inline float edge_q4_0_error(const float *x, int64_t block, float d) {
  EDGE_NO_FP_CONTRACT
  float lanes[16] = {0};
  const float inverse = 1.0f / d;
  for (int64_t j = 0; j < block; j += 16)
    for (int l = 0; l < 16; ++l) {
      const float q = edge_q4_0_code(x[j + l] * inverse);
      const float r = x[j + l] - d * q;
      lanes[l] += r * r;
    }
  for (int width = 8; width > 0; width /= 2)
    for (int l = 0; l < width; ++l) lanes[l] += lanes[l + width];
  return lanes[0];
}

/* The q4_0 step for one block (see edge_quantize_row): of the codings q of the steps
 * x* / -(8 + k / 10), k = -10..10 (q = round(x / step) clamped to -8..7), each refined to
 * its least-squares step d = sum(x q) / sum(q q) rounded to f16 as stored, the three with
 * the least sum(x x) - 2 d sum(x q) + d^2 sum(q q), and of those the one whose block
 * re-coded at d has the least squared error (the first such). */
EDGE_NO_FP_CONTRACT_FN static inline float edge_q4_0_scale(const float *x, int64_t block, float extreme) {
  EDGE_NO_FP_CONTRACT
  if (extreme == 0.0f) return 0.0f;
  float inverse[EDGE_Q4_CANDIDATES], xq[EDGE_Q4_CANDIDATES], qq[EDGE_Q4_CANDIDATES];
  for (int c = 0; c < EDGE_Q4_CANDIDATES; ++c) {
    inverse[c] = c < 21 ? (-8.0f - 0.1f * (float)(c - 10)) / extreme : 0.0f;
    xq[c] = 0.0f, qq[c] = 0.0f;
  }
  for (int64_t j = 0; j < block; ++j) {
    const float v = x[j];
    for (int c = 0; c < EDGE_Q4_CANDIDATES; ++c) {
      const float q = edge_q4_0_code(v * inverse[c]);
      xq[c] += v * q;
      qq[c] += q * q;
    }
  }
  /* sum(x x) is the same for every candidate: rank by d^2 sum(q q) - 2 d sum(x q), the
   * error of each candidate's own coding at its step. The three best are then scored as
   * they will be stored, re-coded at their step (edge_q4_0_error). */
  int top[3] = {-1, -1, -1};
  float top_error[3] = {0.0f, 0.0f, 0.0f}, top_d[3] = {0.0f, 0.0f, 0.0f};
  for (int c = 0; c < 21; ++c) {
    if (qq[c] == 0.0f) continue;
    const float d = edge_round_to_f16(xq[c] / qq[c]);
    if (d == 0.0f) continue;
    const float error = d * d * qq[c] - 2.0f * d * xq[c];
    for (int slot = 0; slot < 3; ++slot)
      if (top[slot] < 0 || error < top_error[slot]) {
        for (int later = 2; later > slot; --later)
          top[later] = top[later - 1], top_error[later] = top_error[later - 1], top_d[later] = top_d[later - 1];
        top[slot] = c, top_error[slot] = error, top_d[slot] = d;
        break;
      }
  }
  float best = extreme / -8.0f, best_error = 0.0f;
  for (int slot = 0; slot < 3 && top[slot] >= 0; ++slot) {
    const float error = edge_q4_0_error(x, block, top_d[slot]);
    if (slot == 0 || error < best_error) best_error = error, best = top_d[slot];
  }
  return best;
}

/*
 * Quantizes `k` values (a multiple of `block`) into k / block blocks of `dtype` at `out`.
 *   q8_0: d = max|x| / 127, q = round(x / d)
 *   q4_0: q = round(x / d) + 8 clamped to 0..15, with d the least-squares scale of the
 *         best of 21 candidate codings (by the error of that coding at that scale), x* / -(8 +- k / 10) for the value x* of largest
 *         magnitude (x* / -8 alone maps x* to -8 exactly and lets the other end reach 7; a
 *         slightly different step often fits the rest of the block better)
 *   q4_1: d = (max - min) / 15, m = min, q = round((x - m) / d) clamped to 0..15
 */
static inline void edge_quantize_row(uint32_t dtype, const float *x, int64_t k, int64_t block, uint8_t *out) {
  for (int64_t b = 0; b < k; b += block, x += block) {
    float amax = 0.0f, extreme = 0.0f, minimum = x[0], maximum = x[0];
    for (int64_t j = 0; j < block; ++j) {
      float v = x[j], magnitude = v < 0 ? -v : v;
      if (magnitude > amax) amax = magnitude, extreme = v;
      minimum = v < minimum ? v : minimum;
      maximum = v > maximum ? v : maximum;
    }
    if (dtype == EDGE_DTYPE_Q8_0) {
      float d = edge_f16_to_f32(edge_f32_to_f16(amax / 127.0f)), inverse = d != 0.0f ? 1.0f / d : 0.0f;
      edge_store_f16(out, d);
      for (int64_t j = 0; j < block; ++j) {
        int32_t q = edge_round_to_int(x[j] * inverse);
        out[2 + j] = (uint8_t)(int8_t)(q > 127 ? 127 : (q < -127 ? -127 : q));
      }
      out += 2 + block;
      continue;
    }
    float d, m = 0.0f;
    int64_t header = 2;
    if (dtype == EDGE_DTYPE_Q4_0) {
      d = edge_f16_to_f32(edge_f32_to_f16(edge_q4_0_scale(x, block, extreme)));
    } else {
      d = edge_f16_to_f32(edge_f32_to_f16((maximum - minimum) / 15.0f));
      m = edge_f16_to_f32(edge_f32_to_f16(minimum));
      edge_store_f16(out + 2, m);
      header = 4;
    }
    edge_store_f16(out, d);
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    uint8_t *nibbles = out + header;
    for (int64_t j = 0; j < block / 2; ++j) nibbles[j] = 0;
    for (int64_t j = 0; j < block; ++j) {
      int32_t q = dtype == EDGE_DTYPE_Q4_0 ? edge_round_to_int(x[j] * inverse) + 8 : edge_round_to_int((x[j] - m) * inverse);
      q = q > 15 ? 15 : (q < 0 ? 0 : q);
      int64_t byte;
      int shift;
      edge_nibble_slot(j, &byte, &shift);
      nibbles[byte] |= (uint8_t)(q << shift);
    }
    out += header + block / 2;
  }
}

/* The inverse: k values of the row at `in` (for error reports and references). */
static inline void edge_dequantize_row(uint32_t dtype, const uint8_t *in, int64_t k, int64_t block, float *x) {
  for (int64_t b = 0; b < k; b += block, x += block) {
    uint16_t h;
    __builtin_memcpy(&h, in, sizeof h);
    const float d = edge_f16_to_f32(h);
    if (dtype == EDGE_DTYPE_Q8_0) {
      for (int64_t j = 0; j < block; ++j) x[j] = d * (float)(int8_t)in[2 + j];
      in += 2 + block;
      continue;
    }
    float m = 0.0f;
    int64_t header = 2;
    if (dtype == EDGE_DTYPE_Q4_1) {
      __builtin_memcpy(&h, in + 2, sizeof h);
      m = edge_f16_to_f32(h);
      header = 4;
    }
    for (int64_t j = 0; j < block; ++j) {
      int64_t byte;
      int shift;
      edge_nibble_slot(j, &byte, &shift);
      int32_t q = (in[header + byte] >> shift) & 15;
      x[j] = dtype == EDGE_DTYPE_Q4_0 ? d * (float)(q - 8) : d * (float)q + m;
    }
    in += header + block / 2;
  }
}

#endif /* EDGE_QUANTIZE_H_ */
