// CudaBackend's arithmetic: elementwise and reduction kernels, and GEMM through cuBLAS.
#include <string>

#include "../core/errors.h"
#include "cuda_allocator.h"
#include "cuda_backend.h"
#include "dynload.h"
#include "kernels/elementwise.h"
#include "kernels/reduce.h"
#include "status.h"

namespace gru {

void CudaBackend::binary(BinaryOp op, const TensorRef& out, const TensorRef& a, const TensorRef& b) {
  raisePendingError();
  const bool bScalar = b.numel == 1 && a.numel != 1;
  cudaError_t status = cudaSuccess;
  switch (out.dtype) {
    case DType::Float32: status = cuda::launchBinary(op, out.data<float>(), a.data<float>(), b.data<float>(), out.numel, bScalar, stream()); break;
    case DType::Float64: status = cuda::launchBinary(op, out.data<double>(), a.data<double>(), b.data<double>(), out.numel, bScalar, stream()); break;
    case DType::Int32: status = cuda::launchBinary(op, out.data<int32_t>(), a.data<int32_t>(), b.data<int32_t>(), out.numel, bScalar, stream()); break;
  }
  cuda::checkCuda(status, "binary kernel launch");
}

void CudaBackend::axpby(const TensorRef& dst, const TensorRef& src, double alpha, double beta) {
  raisePendingError();
  const cudaError_t status =
      dst.dtype == DType::Float32
          ? cuda::launchAxpby(dst.data<float>(), src.data<float>(), dst.numel, static_cast<float>(alpha), static_cast<float>(beta), stream())
          : cuda::launchAxpby(dst.data<double>(), src.data<double>(), dst.numel, alpha, beta, stream());
  cuda::checkCuda(status, "axpby kernel launch");
}

void CudaBackend::sum(const TensorRef& out, const TensorRef& a) {
  raisePendingError();
  // Released right after queueing: the next user of this block runs after the sum (same stream).
  StoragePtr partials = makeStorage(allocator(), sizeof(double) * static_cast<size_t>(cuda::sumPartialCount(a.numel)));
  auto* scratch = static_cast<double*>(partials->data());
  const cudaError_t status = a.dtype == DType::Float32
                                 ? cuda::launchSum(out.data<float>(), a.data<float>(), a.numel, scratch, stream())
                                 : cuda::launchSum(out.data<double>(), a.data<double>(), a.numel, scratch, stream());
  cuda::checkCuda(status, "sum kernel launch");
}

// Note [Row-major GEMM through cuBLAS]
// cuBLAS is column-major. A row-major [r x c] matrix with leading dimension c is, read
// column-major, its transpose [c x r]. So row-major C = op(A) op(B) is column-major
// C^T = op(B)^T op(A)^T: call gemm with the operands swapped, m and n swapped, the same
// transpose flags and the same leading dimensions the row-major call would use.
void CudaBackend::gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, double alpha, const TensorRef& a,
                       const TensorRef& b, double beta, const TensorRef& c) {
  raisePendingError();
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty product: C = beta * C (cuBLAS rejects a zero leading dimension)
    axpby(c, c, beta, 0.0);
    return;
  }
  const int lda = static_cast<int>(transA ? m : k), ldb = static_cast<int>(transB ? k : n), ldc = static_cast<int>(n);
  const cublas::Operation opA = transA ? cublas::Operation::T : cublas::Operation::N;
  const cublas::Operation opB = transB ? cublas::Operation::T : cublas::Operation::N;
  std::lock_guard<std::mutex> lock(libraryMutex());
  cuda::CublasApi& api = cuda::cublasApi();
  cublas::Handle handle = cublasHandle();
  if (c.dtype == DType::Float32) {
    const float alphaF = static_cast<float>(alpha), betaF = static_cast<float>(beta);
    cuda::checkCublas(api.sgemm(handle, opB, opA, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &alphaF,
                                b.data<float>(), ldb, a.data<float>(), lda, &betaF, c.data<float>(), ldc),
                      "cublasSgemm_v2");
  } else {
    cuda::checkCublas(api.dgemm(handle, opB, opA, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &alpha,
                                b.data<double>(), ldb, a.data<double>(), lda, &beta, c.data<double>(), ldc),
                      "cublasDgemm_v2");
  }
}

}  // namespace gru
