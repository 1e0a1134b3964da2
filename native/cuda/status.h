// Status codes of cuDNN, cuBLAS and the CUDA runtime as names (the `code` of a NativeError, e.g.
// CUDNN_STATUS_BAD_PARAM), and the checks that turn a failed call into a gru::Error.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>

#include "../core/errors.h"
#include "cublas_api.h"
#include "cudnn_api.h"

namespace gru {
namespace cuda {

// cuDNN 8.x (0-14) and 9.x (hierarchical 4-digit) codes; unknown -> UNKNOWN_CUDNN_STATUS_<n>.
std::string cudnnStatusName(int64_t status);
// Unknown -> UNKNOWN_CUBLAS_STATUS_<n>.
std::string cublasStatusName(int64_t status);
// cudaGetErrorName; unknown -> UNKNOWN_CUDA_ERROR_<n>.
std::string cudaErrorName(int64_t status);

// Which library a status belongs to, for the test-only cudaStatusName binding.
enum class StatusKind : int { Cudnn = 0, Cublas = 1, Cuda = 2 };
std::string statusName(StatusKind kind, int64_t status);

// Throw gru::Error(Native) whose message names the call and the status (plus cuDNN 9's last
// error text when there is one) and whose code is the status name. cudaErrorMemoryAllocation
// becomes ErrorKind::OutOfMemory.
void checkCudnn(cudnn::Status status, const char* call);
void checkCublas(cublas::Status status, const char* call);
void checkCuda(cudaError_t status, const char* call);

// The error a failed CUDA call would throw, without throwing (for callbacks).
Error cudaFailure(cudaError_t status, const std::string& what);

}  // namespace cuda
}  // namespace gru
