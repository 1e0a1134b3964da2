// Built with the CUDA toolkit: the CUDA runtime is linked statically, and it opens the driver
// (libcuda.so.1) itself on first use, so a machine without a driver only sees an error code.
#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <string>

#include "kernels/fill.h"
#include "probe.h"

namespace gru {
namespace {

std::string cudaErrorText(cudaError_t status) {
  return std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
}

// Runs one of our kernels on the device: catches a build that has no code for this GPU.
std::string kernelSelfTest(int device) {
  cudaError_t status = cudaSetDevice(device);
  if (status != cudaSuccess) return "cudaSetDevice failed (" + cudaErrorText(status) + ")";
  void* memory = nullptr;
  status = cudaMalloc(&memory, 64 * sizeof(int));
  if (status != cudaSuccess) return "cudaMalloc failed (" + cudaErrorText(status) + ")";
  int host[64] = {};
  status = cuda::launchFillInt(static_cast<int*>(memory), 64, 7, nullptr);
  if (status == cudaSuccess) status = cudaMemcpy(host, memory, sizeof(host), cudaMemcpyDeviceToHost);
  cudaFree(memory);
  if (status != cudaSuccess) return "a gru-native kernel failed to run (" + cudaErrorText(status) + ")";
  for (int value : host) {
    if (value != 7) return "a gru-native kernel ran but wrote wrong values";
  }
  return "";
}

}  // namespace

CudaProbe probeCuda() {
  CudaProbe probe;
  probe.compiled = true;
  cudaRuntimeGetVersion(&probe.runtimeVersion);
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (driver == nullptr) {
    const char* detail = dlerror();
    probe.reason = std::string("no NVIDIA driver: libcuda.so.1 could not be loaded (") + (detail ? detail : "unknown") + ")";
    return probe;
  }
  dlclose(driver);
  cudaDriverGetVersion(&probe.driverVersion);
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    probe.reason = "cudaGetDeviceCount failed (" + cudaErrorText(status) + ")";
    return probe;
  }
  if (count == 0) {
    probe.reason = "the NVIDIA driver reports no CUDA devices";
    return probe;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp props{};
    if (cudaGetDeviceProperties(&props, i) != cudaSuccess) continue;
    probe.devices.push_back({i, props.name, props.major, props.minor, props.totalGlobalMem});
  }
  const std::string selfTest = kernelSelfTest(0);
  if (!selfTest.empty()) {
    probe.reason = selfTest;
    return probe;
  }
  probe.reason = "the cuda backend (cuDNN GRU) is not part of this version of gru-native yet";
  return probe;
}

}  // namespace gru
