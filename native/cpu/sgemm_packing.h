// The packing of Note [Our sgemm]: an A block into micro-panels of kSgemmRows rows laid out
// [k][kSgemmRows], a B block into panels of kSgemmColumns columns laid out [k][kSgemmColumns],
// both zero-padded at the edges so the kernel always runs a full tile. Operands are given by
// their element strides (rows and columns), which covers transposed and untransposed inputs
// alike; where the rows the panel wants run against memory, 16 x 16 blocks are transposed in
// registers. Compiled for AVX-512 only: sgemm.cc calls these after its CPU check.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "sgemm.h"

#define GRU_AVX512 __attribute__((target("avx512f")))
#define GRU_AVX512_INLINE inline __attribute__((target("avx512f"), always_inline))

namespace gru {
namespace cpu {
namespace sgemm_detail {

GRU_AVX512_INLINE __mmask16 firstLanes(int64_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << std::max<int64_t>(count, 0)) - 1);
}

// r[i][j] becomes r[j][i].
GRU_AVX512_INLINE void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int g = 0; g < 4; ++g) {
    r[4 * g + 0] = _mm512_shuffle_ps(t[4 * g + 0], t[4 * g + 2], 0x44);
    r[4 * g + 1] = _mm512_shuffle_ps(t[4 * g + 0], t[4 * g + 2], 0xEE);
    r[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    r[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
  for (int j = 0; j < 4; ++j) {
    t[j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);
    t[4 + j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
    t[8 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    t[12 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
  }
  for (int j = 0; j < 8; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
  }
}

// r[q] = value q (of 16 along k) of each of `lines` runs, line l at source + l * lineStride; zeros
// past `depth` values and past `lines` lines.
GRU_AVX512_INLINE void loadTransposed(const float* source, int64_t lineStride, int64_t lines, int64_t depth, __m512 r[16]) {
  const __mmask16 lanes = firstLanes(depth);
  for (int l = 0; l < 16; ++l) r[l] = l < lines ? _mm512_maskz_loadu_ps(lanes, source + l * lineStride) : _mm512_setzero_ps();
  transpose16(r);
}

// Rows [0, m) and depth [0, kc) of A, element (i, p) at a[i * rowStride + p * depthStride], into
// micro-panels: panel q at out + q * kSgemmRows * kc.
GRU_AVX512_INLINE void packA(const float* a, int64_t rowStride, int64_t depthStride, int64_t m, int64_t kc, float* out) {
  const __mmask16 panelLanes = firstLanes(kSgemmRows);
  if (depthStride == 1) {  // each row runs along k: transpose 16 values of each row at a time
    for (int64_t i0 = 0; i0 < m; i0 += kSgemmRows) {
      const int64_t rows = std::min(kSgemmRows, m - i0);
      float* panel = out + i0 * kc;
      for (int64_t p0 = 0; p0 < kc; p0 += 16) {
        const int64_t depth = std::min<int64_t>(16, kc - p0);
        __m512 r[16];
        loadTransposed(a + i0 * rowStride + p0, rowStride, rows, depth, r);
        for (int q = 0; q < depth; ++q) _mm512_mask_storeu_ps(panel + (p0 + q) * kSgemmRows, panelLanes, r[q]);
      }
    }
    return;
  }
  if (rowStride == 1) {  // a panel row is contiguous: copy it, several panels per pass over k
    // 24 panels read a run of 336 floats from each row of the source per pass; 8 (112 floats)
    // left W's dW (10000 x 512 x 700, A^T) 10% slower on a Zen 5, 37 ms against 33.5.
    constexpr int64_t kPanelsPerPass = 24;
    for (int64_t first = 0; first < m; first += kPanelsPerPass * kSgemmRows) {
      const int64_t end = std::min(m, first + kPanelsPerPass * kSgemmRows);
      for (int64_t p = 0; p < kc; ++p) {
        const float* source = a + p * depthStride;
        // Each pass starts a new run every row, far apart (a row of dY in W's dW): fetching the
        // run 8 rows ahead took this packing from 3.7-3.9 ms to 2.9-3.0 there.
        if (p + 8 < kc) {
          for (int64_t i = first; i < end; i += 16) _mm_prefetch(reinterpret_cast<const char*>(source + 8 * depthStride + i), _MM_HINT_T0);
        }
        for (int64_t i0 = first; i0 < end; i0 += kSgemmRows) {
          const __mmask16 rows = firstLanes(std::min(kSgemmRows, m - i0));
          _mm512_mask_storeu_ps(out + i0 * kc + p * kSgemmRows, panelLanes, _mm512_maskz_loadu_ps(rows, source + i0));
        }
      }
    }
    return;
  }
  for (int64_t i0 = 0; i0 < m; i0 += kSgemmRows) {
    const int64_t rows = std::min(kSgemmRows, m - i0);
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t i = 0; i < kSgemmRows; ++i) out[i0 * kc + p * kSgemmRows + i] = i < rows ? a[(i0 + i) * rowStride + p * depthStride] : 0.0f;
    }
  }
}

// Depth [0, kc) and columns [0, nc) of B, element (p, j) at b[p * depthStride + j * columnStride],
// into panels: panel q at out + q * kSgemmColumns * kc (64-byte aligned when out is).
GRU_AVX512_INLINE void packB(const float* b, int64_t depthStride, int64_t columnStride, int64_t kc, int64_t nc, float* out) {
  static_assert(kSgemmColumns == 32, "a panel row is two vectors");
  for (int64_t j0 = 0; j0 < nc; j0 += kSgemmColumns) {
    const int64_t columns = std::min(kSgemmColumns, nc - j0);
    float* panel = out + j0 * kc;
    if (columnStride == 1) {
      const __mmask16 low = firstLanes(columns), high = firstLanes(columns - 16);
      for (int64_t p = 0; p < kc; ++p) {
        const float* source = b + p * depthStride + j0;
        _mm512_store_ps(panel + p * kSgemmColumns, _mm512_maskz_loadu_ps(low, source));
        _mm512_store_ps(panel + p * kSgemmColumns + 16, _mm512_maskz_loadu_ps(high, source + 16));
      }
    } else if (depthStride == 1) {  // each column runs along k: transpose 16 x 16 blocks
      for (int64_t half = 0; half < 2; ++half) {
        const int64_t firstColumn = j0 + 16 * half;
        const int64_t count = std::min<int64_t>(16, nc - firstColumn);
        for (int64_t p0 = 0; p0 < kc; p0 += 16) {
          const int64_t depth = std::min<int64_t>(16, kc - p0);
          __m512 r[16];
          loadTransposed(b + firstColumn * columnStride + p0, columnStride, count, depth, r);
          for (int q = 0; q < depth; ++q) _mm512_store_ps(panel + (p0 + q) * kSgemmColumns + 16 * half, r[q]);
        }
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        for (int64_t j = 0; j < kSgemmColumns; ++j) panel[p * kSgemmColumns + j] = j < columns ? b[p * depthStride + (j0 + j) * columnStride] : 0.0f;
      }
    }
  }
}

}  // namespace sgemm_detail
}  // namespace cpu
}  // namespace gru
