// CpuBackend's arithmetic: elementwise, reductions and GEMM, queued on the CPU stream.
#include "blas.h"
#include "cpu_backend.h"
#include "elementwise.h"

namespace gru {

void CpuBackend::binary(const BinaryRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    const bool bScalar = r.b.numel == 1 && r.a.numel != 1;
    withBinaryFn(r.op, [&](auto fn) {
      switch (r.out.dtype) {
        case DType::Float32: binaryLoop(fn, r.out.data<float>(), r.a.data<float>(), r.b.data<float>(), r.out.numel, bScalar); break;
        case DType::Float64: binaryLoop(fn, r.out.data<double>(), r.a.data<double>(), r.b.data<double>(), r.out.numel, bScalar); break;
        case DType::Int32: binaryLoop(fn, r.out.data<int32_t>(), r.a.data<int32_t>(), r.b.data<int32_t>(), r.out.numel, bScalar); break;
      }
    });
  });
}

void CpuBackend::axpby(const AxpbyRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    if (r.dst.dtype == DType::Float32) {
      axpbyLoop(r.dst.data<float>(), r.src.data<float>(), r.dst.numel, static_cast<float>(r.alpha), static_cast<float>(r.beta));
    } else {
      axpbyLoop(r.dst.data<double>(), r.src.data<double>(), r.dst.numel, r.alpha, r.beta);
    }
  });
}

void CpuBackend::sum(const SumRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    if (r.a.dtype == DType::Float32) r.out.data<float>()[0] = static_cast<float>(sumLoop(r.a.data<float>(), r.a.numel));
    else r.out.data<double>()[0] = sumLoop(r.a.data<double>(), r.a.numel);
  });
}

void CpuBackend::gemm(const GemmRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    if (r.m == 0 || r.n == 0) return;
    if (r.k == 0) {  // BLAS rejects a zero leading dimension; the product is empty, so C = beta * C
      if (r.c.dtype == DType::Float32) axpbyLoop(r.c.data<float>(), r.c.data<float>(), r.m * r.n, static_cast<float>(r.beta), 0.0f);
      else axpbyLoop(r.c.data<double>(), r.c.data<double>(), r.m * r.n, r.beta, 0.0);
      return;
    }
    const auto ta = r.transA ? CblasTrans : CblasNoTrans;
    const auto tb = r.transB ? CblasTrans : CblasNoTrans;
    const int m = static_cast<int>(r.m), n = static_cast<int>(r.n), k = static_cast<int>(r.k);
    const int lda = r.transA ? m : k, ldb = r.transB ? k : n, ldc = n;
    if (r.c.dtype == DType::Float32) {
      cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, static_cast<float>(r.alpha), r.a.data<float>(), lda, r.b.data<float>(), ldb,
                  static_cast<float>(r.beta), r.c.data<float>(), ldc);
    } else {
      cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, r.alpha, r.a.data<double>(), lda, r.b.data<double>(), ldb, r.beta,
                  r.c.data<double>(), ldc);
    }
  });
}

}  // namespace gru
