#include "packed_gemm.h"

#include "kernel_targets.h"

namespace gru {
namespace cpu {
namespace {

// A panel row is two vectors of 16 floats. GCC vector types (lowered to zmm, ymm or xmm pairs
// per GRU_HOT_KERNEL target) keep the accumulators in registers, which the plain-loop form did
// not do for one row.
typedef float FloatVec __attribute__((vector_size(64)));
typedef uint32_t WordVec __attribute__((vector_size(64)));
static_assert(kPanel == 32, "a panel row is two vectors of 16");

GRU_ALWAYS_INLINE void loadPanelRow(const float* p, FloatVec& low, FloatVec& high) {
  __builtin_memcpy(&low, p, sizeof low);
  __builtin_memcpy(&high, p + 16, sizeof high);
}

// bfloat16 rows are stored interleaved (bf16PanelSlot): 32-bit word i holds columns i and 16 + i,
// so a shift and a mask widen the whole row.
GRU_ALWAYS_INLINE void loadPanelRow(const uint16_t* p, FloatVec& low, FloatVec& high) {
  WordVec words;
  __builtin_memcpy(&words, p, sizeof words);
  low = reinterpret_cast<FloatVec>(words << 16);
  high = reinterpret_cast<FloatVec>(words & 0xffff0000u);
}

// C[Rows x cols of one panel] = (or +=) A[Rows x k] * panel. With few rows, each panel row feeds
// only 2 * Rows FMAs, so one accumulator set's FMA latency would bound the loop below the cache's
// bandwidth: k is split over Splits sets, summed at the end.
template <bool Accumulate, int Rows, int Splits, typename Element>
GRU_ALWAYS_INLINE void panelKernel(int64_t k, const float* a, int64_t lda, const Element* panel, float* c, int64_t ldc, int64_t cols) {
  FloatVec acc[Splits][Rows][2] = {};
  int64_t kk = 0;
  for (; kk + Splits <= k; kk += Splits) {
    for (int s = 0; s < Splits; ++s) {
      FloatVec low, high;
      loadPanelRow(panel + (kk + s) * kPanel, low, high);
      for (int i = 0; i < Rows; ++i) {
        const float ai = a[i * lda + kk + s];
        acc[s][i][0] += ai * low;
        acc[s][i][1] += ai * high;
      }
    }
  }
  for (; kk < k; ++kk) {
    FloatVec low, high;
    loadPanelRow(panel + kk * kPanel, low, high);
    for (int i = 0; i < Rows; ++i) {
      const float ai = a[i * lda + kk];
      acc[0][i][0] += ai * low;
      acc[0][i][1] += ai * high;
    }
  }
  for (int i = 0; i < Rows; ++i) {
    for (int s = 1; s < Splits; ++s) {
      acc[0][i][0] += acc[s][i][0];
      acc[0][i][1] += acc[s][i][1];
    }
    float sum[kPanel];
    __builtin_memcpy(sum, &acc[0][i][0], sizeof acc[0][i][0]);
    __builtin_memcpy(sum + 16, &acc[0][i][1], sizeof acc[0][i][1]);
    float* row = c + i * ldc;
    if constexpr (Accumulate) {
      for (int64_t j = 0; j < cols; ++j) row[j] += sum[j];
    } else {
      std::copy(sum, sum + cols, row);
    }
  }
}

template <bool Accumulate, typename Element>
GRU_ALWAYS_INLINE void panels(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const Element* packed, float* c, int64_t ldc) {
  for (int64_t p = 0; p < n; p += kPanel) {
    const Element* data = packed + p * k;
    const int64_t cols = std::min(kPanel, n - p);
    int64_t i = 0;
    for (; i + kRows <= m; i += kRows) panelKernel<Accumulate, kRows, 1>(k, a + i * lda, lda, data, c + i * ldc + p, ldc, cols);
    for (; i + 4 <= m; i += 4) panelKernel<Accumulate, 4, 2>(k, a + i * lda, lda, data, c + i * ldc + p, ldc, cols);
    for (; i < m; ++i) panelKernel<Accumulate, 1, 4>(k, a + i * lda, lda, data, c + i * ldc + p, ldc, cols);
  }
}

GRU_HOT_KERNEL void panelsFloat(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c,
                                int64_t ldc) {
  if (accumulate) panels<true>(m, n, k, a, lda, packed, c, ldc);
  else panels<false>(m, n, k, a, lda, packed, c, ldc);
}

GRU_HOT_KERNEL void panelsBfloat16(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const uint16_t* packed,
                                   float* c, int64_t ldc) {
  if (accumulate) panels<true>(m, n, k, a, lda, packed, c, ldc);
  else panels<false>(m, n, k, a, lda, packed, c, ldc);
}

}  // namespace

void packedGemm(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c, int64_t ldc) {
  panelsFloat(accumulate, m, n, k, a, lda, packed, c, ldc);
}

void packedGemm(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const uint16_t* packed, float* c, int64_t ldc) {
  panelsBfloat16(accumulate, m, n, k, a, lda, packed, c, ldc);
}

}  // namespace cpu
}  // namespace gru
