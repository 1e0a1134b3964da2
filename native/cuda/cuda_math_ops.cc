// CudaBackend's arithmetic: elementwise and reduction kernels, and GEMM through cuBLAS.
#include <string>

#include "../core/errors.h"
#include "cuda_allocator.h"
#include "cuda_backend.h"
#include "dynload.h"
#include "kernels/elementwise.h"
#include "kernels/reduce.h"
#include "kernels/tensor_ops.h"
#include "status.h"

namespace gru {

namespace {

template <typename T>
cudaError_t launchBinaryOf(const BinaryRequest& r, cudaStream_t stream) {
  if (r.geometry.ndim > 0) return cuda::launchBroadcastBinary(r.op, r.out.data<T>(), r.a.data<T>(), r.b.data<T>(), r.geometry, stream);
  return cuda::launchBinary(r.op, r.out.data<T>(), r.a.data<T>(), r.b.data<T>(), r.out.numel, r.b.numel == 1 && r.a.numel != 1, stream);
}

}  // namespace

void CudaBackend::binary(const BinaryRequest& r) {
  raisePendingError();
  cudaError_t status;
  switch (r.out.dtype) {
    case DType::Float32: status = launchBinaryOf<float>(r, stream()); break;
    case DType::Float64: status = launchBinaryOf<double>(r, stream()); break;
    default: status = launchBinaryOf<int32_t>(r, stream()); break;
  }
  cuda::checkCuda(status, "binary kernel launch");
}

void CudaBackend::axpby(const AxpbyRequest& r) {
  raisePendingError();
  const cudaError_t status =
      r.dst.dtype == DType::Float32
          ? cuda::launchAxpby(r.dst.data<float>(), r.src.data<float>(), r.dst.numel, static_cast<float>(r.alpha),
                              static_cast<float>(r.beta), stream())
          : cuda::launchAxpby(r.dst.data<double>(), r.src.data<double>(), r.dst.numel, r.alpha, r.beta, stream());
  cuda::checkCuda(status, "axpby kernel launch");
}

void CudaBackend::sum(const SumRequest& r) {
  raisePendingError();
  // Released right after queueing: the next user of this block runs after the sum (same stream).
  StoragePtr partials = makeStorage(allocator(), sizeof(double) * static_cast<size_t>(cuda::sumPartialCount(r.a.numel)));
  auto* scratch = static_cast<double*>(partials->data());
  const cudaError_t status = r.a.dtype == DType::Float32
                                 ? cuda::launchSum(r.out.data<float>(), r.a.data<float>(), r.a.numel, scratch, stream())
                                 : cuda::launchSum(r.out.data<double>(), r.a.data<double>(), r.a.numel, scratch, stream());
  cuda::checkCuda(status, "sum kernel launch");
}

// Note [Row-major GEMM through cuBLAS]
// cuBLAS is column-major. A row-major [r x c] matrix with leading dimension c is, read
// column-major, its transpose [c x r]. So row-major C = op(A) op(B) is column-major
// C^T = op(B)^T op(A)^T: call gemm with the operands swapped, m and n swapped, the same
// transpose flags and the same leading dimensions the row-major call would use.
void CudaBackend::gemm(const GemmRequest& r) {
  raisePendingError();
  if (r.columnBias) throw Error(ErrorKind::Argument, "gemm bias runs on the CPU only: on cuda, spread the bias into c and pass beta = 1");
  if (r.m == 0 || r.n == 0) return;
  if (r.k == 0) {  // an empty product: C = beta * C (cuBLAS rejects a zero leading dimension)
    TensorRef all = r.c;
    all.numel = r.m * r.n * r.batch;
    axpby(AxpbyRequest{all, all, r.beta, 0.0});
    return;
  }
  const int m = static_cast<int>(r.m), n = static_cast<int>(r.n), k = static_cast<int>(r.k);
  const int lda = r.transA ? m : k, ldb = r.transB ? k : n, ldc = n;
  const cublas::Operation opA = r.transA ? cublas::Operation::T : cublas::Operation::N;
  const cublas::Operation opB = r.transB ? cublas::Operation::T : cublas::Operation::N;
  std::lock_guard<std::mutex> lock(libraryMutex());
  cuda::CublasApi& api = cuda::cublasApi();
  cublas::Handle handle = cublasHandle();
  // Batched products are a loop of GEMMs on the one stream (each a full cuBLAS call).
  for (int64_t i = 0; i < r.batch; ++i) {
    if (r.c.dtype == DType::Float32) {
      const float alpha = static_cast<float>(r.alpha), beta = static_cast<float>(r.beta);
      cuda::checkCublas(api.sgemm(handle, opB, opA, n, m, k, &alpha, r.b.data<float>() + i * r.strideB, ldb, r.a.data<float>() + i * r.strideA,
                                  lda, &beta, r.c.data<float>() + i * r.strideC, ldc),
                        "cublasSgemm_v2");
    } else {
      cuda::checkCublas(api.dgemm(handle, opB, opA, n, m, k, &r.alpha, r.b.data<double>() + i * r.strideB, ldb,
                                  r.a.data<double>() + i * r.strideA, lda, &r.beta, r.c.data<double>() + i * r.strideC, ldc),
                        "cublasDgemm_v2");
    }
  }
}

}  // namespace gru
