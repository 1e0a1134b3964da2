// Block-wide reductions for kernels that give one block to each row (softmax, class losses,
// reductions along a dimension). Every thread of the block must call them; all get the result.
#pragma once
#include <cuda_runtime.h>

namespace gru {
namespace cuda {

constexpr int kRowThreads = 256;

template <typename T, typename Combine>
__device__ T blockReduce(T value, Combine combine) {
  __shared__ T shared[kRowThreads];
  shared[threadIdx.x] = value;
  __syncthreads();
  for (int width = kRowThreads / 2; width > 0; width /= 2) {
    if (threadIdx.x < width) shared[threadIdx.x] = combine(shared[threadIdx.x], shared[threadIdx.x + width]);
    __syncthreads();
  }
  const T result = shared[0];
  __syncthreads();  // the next call may reuse the shared array
  return result;
}

inline unsigned rowBlocks(int64_t rows) {
  return static_cast<unsigned>(rows < 1 ? 1 : (rows > 65535 ? 65535 : rows));
}

}  // namespace cuda
}  // namespace gru
