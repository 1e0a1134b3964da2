#include "fill.h"

namespace gru {
namespace cuda {
namespace {

template <typename T>
__global__ void fillKernel(T* dst, int64_t n, T value) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) dst[i] = value;
}

template <typename T>
cudaError_t launchFill(T* dst, int64_t n, T value, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  constexpr int kThreads = 256;
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  fillKernel<<<static_cast<unsigned>(blocks < 65535 ? blocks : 65535), kThreads, 0, stream>>>(dst, n, value);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launchFillFloat(float* dst, int64_t n, float value, cudaStream_t stream) { return launchFill(dst, n, value, stream); }
cudaError_t launchFillDouble(double* dst, int64_t n, double value, cudaStream_t stream) { return launchFill(dst, n, value, stream); }
cudaError_t launchFillInt(int32_t* dst, int64_t n, int32_t value, cudaStream_t stream) { return launchFill(dst, n, value, stream); }

}  // namespace cuda
}  // namespace gru
