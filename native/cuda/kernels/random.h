// Philox random fills on the device (host-callable launchers; kernels in random.cu). They
// compute what the CPU fills compute, from the same words of the same stream, through the
// shared formulas of ops/random_values.h (Note [Bit-equal random streams]).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "../../ops/op_codes.h"

namespace gru {
namespace cuda {

// Uniform on [a, b) or normal with mean a and standard deviation b.
template <typename T>
cudaError_t launchRandom(Distribution distribution, T* dst, int64_t n, uint64_t seed, uint64_t offset, double a, double b,
                         cudaStream_t stream);

}  // namespace cuda
}  // namespace gru
