// One row-major GEMM name for float and double, so the GRU kernels are written once as
// templates. gemm() sends a single-row product to GEMV: batch-1 recurrent steps are the common
// case in streaming inference, and OpenBLAS's GEMM setup costs more than the work there. GEMV's
// beta = 0 scaling has propagated NaN from uninitialised output in some OpenBLAS releases, so
// that output is zeroed here first. matrixProduct() never does: the tensor op's rows come out
// the same whether a row is multiplied alone or in a batch (Keras predict in batches of 2 equals
// predict in one). Large float products run in our own kernel where the CPU has AVX-512 (Note
// [Our sgemm]), on as many threads as OpenBLAS would use at that moment.
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "blas.h"
#include "sgemm.h"

namespace gru {
namespace blas {

// c[i][j] += bias[j] for m rows of n.
template <typename T>
void addColumnBias(int64_t m, int64_t n, const T* bias, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    for (int64_t j = 0; j < n; ++j) row[j] += bias[j];
  }
}

// OpenBLAS's GEMM and GEMV for T (float or double).
template <typename T>
constexpr auto cblasGemm() {
  if constexpr (std::is_same_v<T, float>) return &cblas_sgemm;
  else return &cblas_dgemm;
}

template <typename T>
constexpr auto cblasGemv() {
  if constexpr (std::is_same_v<T, float>) return &cblas_sgemv;
  else return &cblas_dgemv;
}

// C[m x n] = alpha * op(A) * op(B) + beta * C (+ columnBias[j] in every row, when given) in
// OpenBLAS; A is [m x k] ([k x m] when transA), B is [k x n] ([n x k] when transB); lda, ldb,
// ldc are row strides in elements. m, n, k must be > 0.
template <typename T>
void openblasProduct(bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
                     int64_t ldb, T beta, T* c, int64_t ldc, const T* columnBias) {
  cblasGemm<T>()(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                 static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
                 static_cast<int>(ldc));
  if (columnBias) addColumnBias(m, n, columnBias, c, ldc);
}

// openblasProduct's contract, through our own kernel where it takes the product (float only).
template <typename T>
void matrixProduct(bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
                   int64_t ldb, T beta, T* c, int64_t ldc, const T* columnBias = nullptr) {
  if constexpr (std::is_same_v<T, float>) {
    const int threads = openblasThreadsNow();
    if (cpu::sgemmTakes(m, n, k, threads)) {
      cpu::sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, columnBias);
      return;
    }
  }
  openblasProduct(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, columnBias);
}

// matrixProduct, with single-row products through GEMV. k must be > 0.
template <typename T>
void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b, int64_t ldb,
          T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (m == 1 && !transA) {
    // c = op(B)^T a: B [n x k] untransposed-in-gemv when transB, else B^T of a [k x n] matrix.
    if (beta == 0) std::fill(c, c + n, T(0));
    const auto gemv = cblasGemv<T>();
    if (transB) gemv(CblasRowMajor, CblasNoTrans, static_cast<int>(n), static_cast<int>(k), alpha, b, static_cast<int>(ldb), a, 1, beta, c, 1);
    else gemv(CblasRowMajor, CblasTrans, static_cast<int>(k), static_cast<int>(n), alpha, b, static_cast<int>(ldb), a, 1, beta, c, 1);
    return;
  }
  matrixProduct(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace blas
}  // namespace gru
