// CpuBackend's arithmetic: elementwise, reductions and GEMM, queued on the CPU stream.
#include "gemm.h"
#include "cpu_backend.h"
#include "elementwise.h"

namespace gru {

namespace {

template <typename Fn, typename T>
void binaryOf(Fn fn, const BinaryRequest& r) {
  T* out = r.out.data<T>();
  const T *a = r.a.data<T>(), *b = r.b.data<T>();
  if (r.geometry.ndim == 0) {
    binaryLoop(fn, out, a, b, r.out.numel, r.b.numel == 1 && r.a.numel != 1);
    return;
  }
  broadcastLoop(fn, out, a, b, r.geometry);
}

}  // namespace

void CpuBackend::binary(const BinaryRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    withBinaryFn(r.op, [&](auto fn) {
      switch (r.out.dtype) {
        case DType::Float32: binaryOf<decltype(fn), float>(fn, r); break;
        case DType::Float64: binaryOf<decltype(fn), double>(fn, r); break;
        case DType::Int32: binaryOf<decltype(fn), int32_t>(fn, r); break;
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
    const bool isFloat = r.c.dtype == DType::Float32;
    if (r.k == 0) {  // BLAS rejects a zero leading dimension; the product is empty, so C = beta * C (+ bias)
      const int64_t count = r.m * r.n * r.batch;
      if (isFloat) axpbyLoop(r.c.data<float>(), r.c.data<float>(), count, static_cast<float>(r.beta), 0.0f);
      else axpbyLoop(r.c.data<double>(), r.c.data<double>(), count, r.beta, 0.0);
      if (r.columnBias) {
        for (int64_t i = 0; i < r.batch; ++i) {
          if (isFloat) blas::addColumnBias(r.m, r.n, r.columnBias->data<float>(), r.c.data<float>() + i * r.strideC, r.n);
          else blas::addColumnBias(r.m, r.n, r.columnBias->data<double>(), r.c.data<double>() + i * r.strideC, r.n);
        }
      }
      return;
    }
    const int64_t lda = r.transA ? r.m : r.k, ldb = r.transB ? r.k : r.n, ldc = r.n;
    for (int64_t i = 0; i < r.batch; ++i) {
      if (isFloat) {
        blas::matrixProduct(r.transA, r.transB, r.m, r.n, r.k, static_cast<float>(r.alpha), r.a.data<float>() + i * r.strideA, lda,
                            r.b.data<float>() + i * r.strideB, ldb, static_cast<float>(r.beta), r.c.data<float>() + i * r.strideC, ldc,
                            r.columnBias ? r.columnBias->data<float>() : nullptr);
      } else {
        blas::matrixProduct(r.transA, r.transB, r.m, r.n, r.k, r.alpha, r.a.data<double>() + i * r.strideA, lda, r.b.data<double>() + i * r.strideB,
                            ldb, r.beta, r.c.data<double>() + i * r.strideC, ldc, r.columnBias ? r.columnBias->data<double>() : nullptr);
      }
    }
  });
}

}  // namespace gru
