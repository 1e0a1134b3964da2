#include "../../ops/binary_functors.h"
#include "elementwise.h"
#include "launch.h"

namespace gru {
namespace cuda {
namespace {

template <typename Fn, typename T>
__global__ void binaryKernel(Fn fn, T* out, const T* a, const T* b, int64_t n, bool bScalar) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    out[i] = fn(a[i], bScalar ? b[0] : b[i]);
  }
}

template <typename T>
__global__ void axpbyKernel(T* dst, const T* src, int64_t n, T alpha, T beta) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i] = axpbyValue(src[i], beta == T(0) ? T(0) : dst[i], alpha, beta);
  }
}

}  // namespace

template <typename T>
cudaError_t launchBinary(BinaryOp op, T* out, const T* a, const T* b, int64_t n, bool bScalar, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  withBinaryFn(op, [&](auto fn) { binaryKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(fn, out, a, b, n, bScalar); });
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchAxpby(T* dst, const T* src, int64_t n, T alpha, T beta, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  axpbyKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(dst, src, n, alpha, beta);
  return cudaGetLastError();
}

template cudaError_t launchBinary<float>(BinaryOp, float*, const float*, const float*, int64_t, bool, cudaStream_t);
template cudaError_t launchBinary<double>(BinaryOp, double*, const double*, const double*, int64_t, bool, cudaStream_t);
template cudaError_t launchBinary<int32_t>(BinaryOp, int32_t*, const int32_t*, const int32_t*, int64_t, bool, cudaStream_t);
template cudaError_t launchAxpby<float>(float*, const float*, int64_t, float, float, cudaStream_t);
template cudaError_t launchAxpby<double>(double*, const double*, int64_t, double, double, cudaStream_t);

}  // namespace cuda
}  // namespace gru
