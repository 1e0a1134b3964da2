// Philox random fills on the device (host-callable launchers; kernels in random.cu). They
// compute exactly what native/cpu/random_fill.h computes on the host, from the same words of the
// same stream, so a seed gives the same tensor on both devices (see random.cu for the one
// place where the host's floating-point contraction matters).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

namespace gru {
namespace cuda {

cudaError_t launchUniformFloat(float* dst, int64_t n, uint64_t seed, uint64_t offset, double low, double high,
                               cudaStream_t stream);
cudaError_t launchUniformDouble(double* dst, int64_t n, uint64_t seed, uint64_t offset, double low, double high,
                                cudaStream_t stream);
cudaError_t launchNormalFloat(float* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev,
                              cudaStream_t stream);
cudaError_t launchNormalDouble(double* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev,
                               cudaStream_t stream);

}  // namespace cuda
}  // namespace gru
