// CpuBackend's arithmetic: elementwise, reductions and GEMM, queued on the CPU stream.
#include "blas.h"
#include "cpu_backend.h"
#include "elementwise.h"

namespace gru {

void CpuBackend::binary(BinaryOp op, const TensorRef& out, const TensorRef& a, const TensorRef& b) {
  raisePendingError();
  stream_.enqueue([op, out, a, b] {
    const bool bScalar = b.numel == 1 && a.numel != 1;
    switch (out.dtype) {
      case DType::Float32: binaryDispatch(op, out.data<float>(), a.data<float>(), b.data<float>(), out.numel, bScalar); break;
      case DType::Float64: binaryDispatch(op, out.data<double>(), a.data<double>(), b.data<double>(), out.numel, bScalar); break;
      case DType::Int32: binaryDispatch(op, out.data<int32_t>(), a.data<int32_t>(), b.data<int32_t>(), out.numel, bScalar); break;
    }
  });
}

void CpuBackend::axpby(const TensorRef& dst, const TensorRef& src, double alpha, double beta) {
  raisePendingError();
  stream_.enqueue([dst, src, alpha, beta] {
    if (dst.dtype == DType::Float32) {
      axpbyLoop(dst.data<float>(), src.data<float>(), dst.numel, static_cast<float>(alpha), static_cast<float>(beta));
    } else {
      axpbyLoop(dst.data<double>(), src.data<double>(), dst.numel, alpha, beta);
    }
  });
}

void CpuBackend::sum(const TensorRef& out, const TensorRef& a) {
  raisePendingError();
  stream_.enqueue([out, a] {
    if (a.dtype == DType::Float32) out.data<float>()[0] = static_cast<float>(sumLoop(a.data<float>(), a.numel));
    else out.data<double>()[0] = sumLoop(a.data<double>(), a.numel);
  });
}

void CpuBackend::gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, double alpha, const TensorRef& a,
                      const TensorRef& b, double beta, const TensorRef& c) {
  raisePendingError();
  stream_.enqueue([=] {
    const auto ta = transA ? CblasTrans : CblasNoTrans;
    const auto tb = transB ? CblasTrans : CblasNoTrans;
    if (m == 0 || n == 0) return;
    if (k == 0) {  // BLAS rejects a zero leading dimension; the product is empty, so C = beta * C
      if (c.dtype == DType::Float32) axpbyLoop(c.data<float>(), c.data<float>(), m * n, static_cast<float>(beta), 0.0f);
      else axpbyLoop(c.data<double>(), c.data<double>(), m * n, beta, 0.0);
      return;
    }
    const int lda = static_cast<int>(transA ? m : k), ldb = static_cast<int>(transB ? k : n), ldc = static_cast<int>(n);
    if (c.dtype == DType::Float32) {
      cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), static_cast<float>(alpha),
                  a.data<float>(), lda, b.data<float>(), ldb, static_cast<float>(beta), c.data<float>(), ldc);
    } else {
      cblas_dgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a.data<double>(), lda,
                  b.data<double>(), ldb, beta, c.data<double>(), ldc);
    }
  });
}

}  // namespace gru
