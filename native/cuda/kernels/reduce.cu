#include "reduce.h"

namespace gru {
namespace cuda {
namespace {

constexpr int kReduceThreads = 256;
constexpr int kMaxPartials = 1024;
constexpr int64_t kElementsPerThread = 8;

// Tree sum of one block's values in shared memory; thread 0 gets the total.
__device__ double blockSum(double value) {
  __shared__ double shared[kReduceThreads];
  shared[threadIdx.x] = value;
  __syncthreads();
  for (int width = kReduceThreads / 2; width > 0; width /= 2) {
    if (threadIdx.x < width) shared[threadIdx.x] += shared[threadIdx.x + width];
    __syncthreads();
  }
  return shared[0];
}

template <typename T>
__global__ void partialSumKernel(const T* a, int64_t n, double* partials) {
  double total = 0;
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    total += static_cast<double>(a[i]);
  }
  const double sum = blockSum(total);
  if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}

template <typename T>
__global__ void finalSumKernel(T* out, const double* partials, int count) {
  double total = 0;
  for (int i = threadIdx.x; i < count; i += blockDim.x) total += partials[i];
  const double sum = blockSum(total);
  if (threadIdx.x == 0) out[0] = static_cast<T>(sum);
}

}  // namespace

int sumPartialCount(int64_t n) {
  const int64_t perBlock = kReduceThreads * kElementsPerThread;
  const int64_t blocks = (n + perBlock - 1) / perBlock;
  return static_cast<int>(blocks < 1 ? 1 : (blocks > kMaxPartials ? kMaxPartials : blocks));
}

template <typename T>
cudaError_t launchSum(T* out, const T* a, int64_t n, double* partials, cudaStream_t stream) {
  const int count = sumPartialCount(n);
  partialSumKernel<<<count, kReduceThreads, 0, stream>>>(a, n, partials);
  finalSumKernel<<<1, kReduceThreads, 0, stream>>>(out, partials, count);
  return cudaGetLastError();
}

template cudaError_t launchSum<float>(float*, const float*, int64_t, double*, cudaStream_t);
template cudaError_t launchSum<double>(double*, const double*, int64_t, double*, cudaStream_t);

}  // namespace cuda
}  // namespace gru
