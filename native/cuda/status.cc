#include "status.h"

#include <cstring>

#include "dynload.h"
#include "status_tables.h"

namespace gru {
namespace cuda {
namespace {

template <size_t N>
const char* lookup(const NamedStatus (&table)[N], int64_t code) {
  for (const NamedStatus& entry : table) {
    if (entry.code == code) return entry.name;
  }
  return nullptr;
}

// cuDNN 9 keeps a per-thread text for the last failure; 8.x has no such function.
std::string cudnnLastErrorText() {
  CudnnApi& api = cudnnApi();
  if (!api.getLastErrorString.available()) return "";
  char text[1024] = {};
  api.getLastErrorString(text, sizeof(text) - 1);
  return text;
}

}  // namespace

std::string cudnnStatusName(int64_t status) {
  const char* name = lookup(kCudnnStatuses, status);
  return name ? name : "UNKNOWN_CUDNN_STATUS_" + std::to_string(status);
}

std::string cublasStatusName(int64_t status) {
  const char* name = lookup(kCublasStatuses, status);
  return name ? name : "UNKNOWN_CUBLAS_STATUS_" + std::to_string(status);
}

std::string cudaErrorName(int64_t status) {
  // The runtime's own table (a lookup; it needs neither a driver nor a device).
  const char* name = cudaGetErrorName(static_cast<cudaError_t>(status));
  if (name == nullptr || std::strncmp(name, "cuda", 4) != 0) return "UNKNOWN_CUDA_ERROR_" + std::to_string(status);
  return name;
}

std::string statusName(StatusKind kind, int64_t status) {
  switch (kind) {
    case StatusKind::Cudnn: return cudnnStatusName(status);
    case StatusKind::Cublas: return cublasStatusName(status);
    case StatusKind::Cuda: return cudaErrorName(status);
  }
  return "UNKNOWN_STATUS_" + std::to_string(status);
}

void checkCudnn(cudnn::Status status, const char* call) {
  if (status == cudnn::kStatusSuccess) return;
  const std::string name = cudnnStatusName(status);
  std::string message = std::string(call) + " failed: " + name;
  const std::string detail = cudnnLastErrorText();
  if (!detail.empty()) message += " (" + detail + ")";
  throw Error(ErrorKind::Native, message, name);
}

void checkCublas(cublas::Status status, const char* call) {
  if (status == cublas::kStatusSuccess) return;
  const std::string name = cublasStatusName(status);
  throw Error(ErrorKind::Native, std::string(call) + " failed: " + name, name);
}

Error cudaFailure(cudaError_t status, const std::string& what) {
  const std::string name = cudaErrorName(status);
  const std::string message = what + " failed: " + name + " (" + cudaGetErrorString(status) + ")";
  return Error(status == cudaErrorMemoryAllocation ? ErrorKind::OutOfMemory : ErrorKind::Native, message, name);
}

void checkCuda(cudaError_t status, const char* call) {
  if (status == cudaSuccess) return;
  throw cudaFailure(status, call);
}

}  // namespace cuda
}  // namespace gru
