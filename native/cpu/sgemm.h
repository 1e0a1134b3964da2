// Note [Our sgemm]
// At one thread most of a training step is large float32 GEMMs: W's three Linear products
// (700 x 10000 x 512 and its two gradients) and the GRU's input projections and weight
// gradients. OpenBLAS 0.3.21 runs them at 96-102 GFLOP/s on the Zen 4 we measure on, 82-87% of
// its FMA peak (117). This one is blocked as in Goto's and BLIS's papers: k in blocks of up to
// kSgemmDepth; A packed as micro-panels of kSgemmRows rows ([k][14], each value broadcast, the
// micro-panel staying in L1); B packed as panels of 32 columns ([k][32], streamed from L2); a
// 14 x 32 register tile of 28 zmm accumulators, which runs at 110-114 GFLOP/s there. The packing
// transposes 16 x 16 blocks in registers where the source runs the other way. Whole, on W's
// products at one thread, it runs at 101-109 GFLOP/s (bench/gemm.ts). On a Zen 5, with two
// full-width FMA pipes, 205-220: level with OpenBLAS's Cooperlake kernels (0.97-1.05x). AVX-512
// CPUs only; other CPUs, float64, small products (sgemmTakes) and GRU_NATIVE_SGEMM=openblas keep
// OpenBLAS. On more threads a product splits C's rows or columns over the worker pool, never k,
// so each element sums its k products in the same order as on one thread.
#pragma once
#include <cstdint>

namespace gru {
namespace cpu {

constexpr int64_t kSgemmRows = 14;
constexpr int64_t kSgemmColumns = 32;
constexpr int64_t kSgemmDepth = 512;

// "gru-native AVX-512" where the products below run here, else "OpenBLAS".
const char* sgemmKernelName();

// Whether sgemm takes this product on `threads` threads: an AVX-512 CPU, not switched off, and a
// product large enough that packing (and, on more threads, a split) pays; smaller ones stay
// with OpenBLAS.
bool sgemmTakes(int64_t m, int64_t n, int64_t k, int threads);

// C[m x n] = alpha * op(A) * op(B) + beta * C (+ columnBias[j] in every row, when given: a Linear
// layer's bias, added as each tile is stored instead of in a pass of its own), with blas::gemm's
// row-major arguments; C is not read when beta is 0. Splits C over `threads` threads of the
// worker pool. Never throws (a part runs on a helper thread): where its packing space cannot be
// allocated, that part runs in OpenBLAS.
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
           int64_t ldb, float beta, float* c, int64_t ldc, int threads, const float* columnBias = nullptr);

}  // namespace cpu
}  // namespace gru
