#include "packed_gemm.h"

#include "kernel_targets.h"

namespace gru {
namespace cpu {
namespace {

// C[rows x cols of one panel] = (or +=) A[rows x k] * panel, rows <= kRows (a compile-time count).
template <bool Accumulate, int Rows>
GRU_ALWAYS_INLINE void panelKernel(int64_t k, const float* a, int64_t lda, const float* panel, float* c, int64_t ldc, int64_t cols) {
  float acc[Rows][kPanel] = {};
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* b = panel + kk * kPanel;
    for (int i = 0; i < Rows; ++i) {
      const float ai = a[i * lda + kk];
      for (int64_t j = 0; j < kPanel; ++j) acc[i][j] += ai * b[j];
    }
  }
  for (int i = 0; i < Rows; ++i) {
    float* row = c + i * ldc;
    if constexpr (Accumulate) {
      for (int64_t j = 0; j < cols; ++j) row[j] += acc[i][j];
    } else {
      std::copy(acc[i], acc[i] + cols, row);
    }
  }
}

template <bool Accumulate>
GRU_ALWAYS_INLINE void panels(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c, int64_t ldc,
                              int64_t firstPanel, int64_t endPanel) {
  for (int64_t panel = firstPanel; panel < endPanel; ++panel) {
    const int64_t p = panel * kPanel;
    const float* data = packed + p * k;
    const int64_t cols = std::min(kPanel, n - p);
    int64_t i = 0;
    for (; i + kRows <= m; i += kRows) panelKernel<Accumulate, kRows>(k, a + i * lda, lda, data, c + i * ldc + p, ldc, cols);
    for (; i + 4 <= m; i += 4) panelKernel<Accumulate, 4>(k, a + i * lda, lda, data, c + i * ldc + p, ldc, cols);
    for (; i < m; ++i) panelKernel<Accumulate, 1>(k, a + i * lda, lda, data, c + i * ldc + p, ldc, cols);
  }
}

// Panels [firstPanel, endPanel) of the product (a range, so that a share can go to another thread).
GRU_HOT_KERNEL void panelRange(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c,
                               int64_t ldc, int64_t firstPanel, int64_t endPanel) {
  if (accumulate) panels<true>(m, n, k, a, lda, packed, c, ldc, firstPanel, endPanel);
  else panels<false>(m, n, k, a, lda, packed, c, ldc, firstPanel, endPanel);
}

}  // namespace

void packedGemm(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c, int64_t ldc) {
  panelRange(accumulate, m, n, k, a, lda, packed, c, ldc, 0, (n + kPanel - 1) / kPanel);
}

}  // namespace cpu
}  // namespace gru
