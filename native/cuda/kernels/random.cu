// Note [Bit-equal random streams] (ops/random_values.h) explains why these match the CPU.
#include "../../ops/random_values.h"
#include "launch.h"
#include "random.h"

namespace gru {
namespace cuda {
namespace {

template <typename T>
__global__ void uniformKernel(T* dst, int64_t n, uint64_t seed, uint64_t offset, double low, double high) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i] = uniformElement(dst, seed, offset, i, low, high);
  }
}

template <typename T>
__global__ void normalKernel(T* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  const int64_t pairs = (n + 1) / 2;
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t p = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < pairs; p += stride) {
    normalPair(dst, n, p, seed, offset, mean, stddev);
  }
}

}  // namespace

template <typename T>
cudaError_t launchRandom(Distribution distribution, T* dst, int64_t n, uint64_t seed, uint64_t offset, double a, double b,
                         cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  if (distribution == Distribution::Uniform) {
    uniformKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(dst, n, seed, offset, a, b);
  } else {
    normalKernel<<<blocksFor((n + 1) / 2), kThreadsPerBlock, 0, stream>>>(dst, n, seed, offset, a, b);
  }
  return cudaGetLastError();
}

template cudaError_t launchRandom<float>(Distribution, float*, int64_t, uint64_t, uint64_t, double, double, cudaStream_t);
template cudaError_t launchRandom<double>(Distribution, double*, int64_t, uint64_t, uint64_t, double, double, cudaStream_t);

}  // namespace cuda
}  // namespace gru
