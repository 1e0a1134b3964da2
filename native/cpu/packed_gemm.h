// Note [Packed recurrent weights]
// Each step of the GRU multiplies the B x H state by the recurrent weights (C = h W_hh^T), and
// OpenBLAS repacks W_hh, the larger operand, at every call: about a tenth of a float32 forward
// at batch 64 (perf: sgemm_incopy). Here W^T is packed once per call into panels of kPanel
// columns (panel p is W's rows p*kPanel.. laid out [k][kPanel], zero-padded past n), and each
// step runs a register-blocked kernel over them: kRows state rows by one panel at a time, the
// panel (k x kPanel floats) staying in L1 across the batch. C++ over GCC vector types, lowered
// for each GRU_HOT_KERNEL target (x86-64-v4: two zmm per panel row), in packed_gemm.cc. Used per
// call for float32 on one BLAS thread (usePackedRecurrent), and by the inference copies of Note
// [Inference weight copies], packed once, at any thread count.
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "bfloat16.h"
#include "blas.h"
#include "gemm.h"
#include "kernel_targets.h"

namespace gru {
namespace cpu {

constexpr int64_t kPanel = 32;
constexpr int64_t kRows = 8;

// Floats the packing of an n x k matrix takes.
inline int64_t packedSize(int64_t n, int64_t k) { return (n + kPanel - 1) / kPanel * kPanel * k; }

// Packs W [k x n] (row stride ldw) as panels, for C = A W (the backward's dh = dG W_hh).
inline void packRows(const float* w, int64_t k, int64_t n, int64_t ldw, float* out) {
  for (int64_t p = 0; p < n; p += kPanel) {
    float* panel = out + p * k;
    const int64_t cols = std::min(kPanel, n - p);
    for (int64_t kk = 0; kk < k; ++kk) {
      float* row = panel + kk * kPanel;
      std::copy(w + kk * ldw + p, w + kk * ldw + p + cols, row);
      std::fill(row + cols, row + kPanel, 0.0f);
    }
  }
}

// Where column j of a bfloat16 panel row is stored: interleaved, so that 32-bit word i holds
// columns i and 16 + i and the kernel widens a row with a shift and a mask.
inline int64_t bf16PanelSlot(int64_t j) { return j < kPanel / 2 ? 2 * j : 2 * (j - kPanel / 2) + 1; }

// Packs W [n x k] (row stride ldw) as panels of W^T, for C = A W^T (the forward's h W_hh^T),
// in float32 or, for the inference copies, bfloat16 (Note [Inference weight copies]).
template <typename Element>
void packTransposed(const float* w, int64_t n, int64_t k, int64_t ldw, Element* out) {
  constexpr bool kBf16 = std::is_same_v<Element, uint16_t>;
  for (int64_t p = 0; p < n; p += kPanel) {
    Element* panel = out + p * k;
    const int64_t cols = std::min(kPanel, n - p);
    for (int64_t kk = 0; kk < k; ++kk) {
      Element* row = panel + kk * kPanel;
      for (int64_t j = 0; j < kPanel; ++j) {
        const float v = j < cols ? w[(p + j) * ldw + kk] : 0.0f;
        if constexpr (kBf16) row[bf16PanelSlot(j)] = toBfloat16(v);
        else row[j] = v;
      }
    }
  }
}

// C[m x n] (row stride ldc) = (or +=, accumulate) A[m x k] (row stride lda) * the packed matrix.
// Panels of bfloat16 are widened to float32 as they are read; the arithmetic is float32.
void packedGemm(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c, int64_t ldc);
void packedGemm(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const uint16_t* packed, float* c, int64_t ldc);

// Worth one packing per call from two steps and two rows on, for float32 while OpenBLAS runs on
// one thread: always inside a call that splits itself (Note [GRU thread split]). Batches of 8+
// rows split by rows; splitting each product's panels across helper threads instead lost there
// at 2 threads (S forward+backward 92 -> 104 ms, when OpenBLAS's workers still spun after each of
// its GEMMs). Fewer rows split the panels (step_team.h).
template <typename T>
bool usePackedRecurrent(int64_t steps, int64_t rows) {
  return std::is_same_v<T, float> && steps >= 2 && rows >= 2 && openblasThreadsNow() == 1;
}

// Packed panels of either element type, or none.
struct Panels {
  const float* f32 = nullptr;
  const uint16_t* bf16 = nullptr;
  Panels() = default;
  // Implicit, so that a call's own float32 packing passes as it is.
  Panels(const float* p) : f32(p) {}
  Panels(const uint16_t* p) : bf16(p) {}
  explicit operator bool() const { return f32 != nullptr || bf16 != nullptr; }
  // The panels from output column `column` (a multiple of kPanel) on, of a packing with k rows.
  Panels fromColumn(int64_t column, int64_t k) const {
    Panels p;
    if (f32) p.f32 = f32 + column * k;
    if (bf16) p.bf16 = bf16 + column * k;
    return p;
  }
};

inline void packedGemm(bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, Panels packed, float* c, int64_t ldc) {
  if (packed.bf16) packedGemm(accumulate, m, n, k, a, lda, packed.bf16, c, ldc);
  else packedGemm(accumulate, m, n, k, a, lda, packed.f32, c, ldc);
}

// C[m x n] (or +=) A[m x k] op(W), op(W) = W^T for W [n x k] when transposedW, else W [k x n]:
// through `packed` (the same matrix, packed) when given, else OpenBLAS.
template <bool Accumulate, typename T>
GRU_ALWAYS_INLINE void recurrentProduct(bool transposedW, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* w, int64_t ldw,
                                        Panels packed, T* c, int64_t ldc) {
  if constexpr (std::is_same_v<T, float>) {
    if (packed) {
      packedGemm(Accumulate, m, n, k, a, lda, packed, c, ldc);
      return;
    }
  }
  blas::gemm(false, transposedW, m, n, k, T(1), a, lda, w, ldw, Accumulate ? T(1) : T(0), c, ldc);
}

}  // namespace cpu
}  // namespace gru
