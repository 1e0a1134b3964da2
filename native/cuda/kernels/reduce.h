// Reductions (host-callable launchers; kernels in reduce.cu).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

namespace gru {
namespace cuda {

// Partial sums launchSum needs room for (doubles).
int sumPartialCount(int64_t n);

// out[0] = sum of a[0..n), accumulated in double (float32 too, like the CPU) in a fixed order,
// so the result is the same on every run. `partials` holds sumPartialCount(n) doubles.
template <typename T>
cudaError_t launchSum(T* out, const T* a, int64_t n, double* partials, cudaStream_t stream);

}  // namespace cuda
}  // namespace gru
