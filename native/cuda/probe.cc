// Built with the CUDA toolkit: the CUDA runtime is linked statically, and it opens the driver
// (libcuda.so.1) itself on first use, so a machine without a driver only sees an error code.
#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <string>

#include "dynload.h"
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

// cuDNN before 8.9.1 corrupts variable-length (masked) RNN results (docs/gru.md, "cuDNN").
bool cudnnTooOld(const cuda::LibraryVersion& v) {
  return v.major * 10000 + v.minor * 100 + v.patch < 80901;
}

}  // namespace

CudaLibraryInfo probeCudnnLibrary() {
  CudaLibraryInfo info;
  cuda::CudnnApi& api = cuda::cudnnApi();
  if (!api.library.tryOpen(&info.error)) return info;
  info.soname = api.library.openedName();
  info.path = api.library.openedPath();
  if (api.getVersion.available()) info.version = cuda::decodeCudnnVersion(api.getVersion()).text();
  const std::vector<std::string> missing = api.missingFunctions();
  if (!missing.empty()) {
    info.error = "cuDNN " + info.version + " (" + info.soname + ") lacks " + cuda::joined(missing) +
                 "; gru-native needs cuDNN 8.9.1 or newer (cuDNN 9 recommended)";
    return info;
  }
  const cuda::LibraryVersion version = cuda::decodeCudnnVersion(api.getVersion());
  if (cudnnTooOld(version)) {
    info.error = "cuDNN " + info.version + " (" + info.soname + ") is too old: its RNN kernels give wrong results " +
                 "for variable-length sequences before 8.9.1; install cuDNN 9";
    return info;
  }
  info.loaded = true;
  return info;
}

CudaLibraryInfo probeCublasLibrary() {
  CudaLibraryInfo info;
  cuda::CublasApi& api = cuda::cublasApi();
  if (!api.library.tryOpen(&info.error)) return info;
  info.soname = api.library.openedName();
  info.path = api.library.openedPath();
  int major = 0, minor = 0, patch = 0;
  if (api.getProperty.available() && api.getProperty(cublas::LibraryProperty::MajorVersion, &major) == 0 &&
      api.getProperty(cublas::LibraryProperty::MinorVersion, &minor) == 0 &&
      api.getProperty(cublas::LibraryProperty::PatchLevel, &patch) == 0) {
    info.version = cuda::LibraryVersion{major, minor, patch}.text();
  }
  const std::vector<std::string> missing = api.missingFunctions();
  if (!missing.empty()) {
    info.error = "cuBLAS " + info.version + " (" + info.soname + ") lacks " + cuda::joined(missing);
    return info;
  }
  info.loaded = true;
  return info;
}

const CudaProbe& cachedCudaProbe() {
  static const CudaProbe probe = probeCuda();
  return probe;
}

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
  const CudaLibraryInfo cudnn = probeCudnnLibrary();
  probe.cudnnVersion = cudnn.version;
  probe.cudnnPath = cudnn.path;
  if (!cudnn.loaded) {
    probe.reason = cudnn.error;
    return probe;
  }
  const CudaLibraryInfo cublas = probeCublasLibrary();
  probe.cublasVersion = cublas.version;
  probe.cublasPath = cublas.path;
  if (!cublas.loaded) {
    probe.reason = cublas.error;
    return probe;
  }
  probe.available = true;
  return probe;
}

}  // namespace gru
