// Fill kernels (host-callable launchers; the kernels live in fill.cu).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

namespace gru {
namespace cuda {

cudaError_t launchFillFloat(float* dst, int64_t n, float value, cudaStream_t stream);
cudaError_t launchFillDouble(double* dst, int64_t n, double value, cudaStream_t stream);
cudaError_t launchFillInt(int32_t* dst, int64_t n, int32_t value, cudaStream_t stream);

}  // namespace cuda
}  // namespace gru
