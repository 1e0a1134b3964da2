// What the CUDA backend can tell about this machine without failing: built with CUDA or not,
// whether a driver and devices exist, and why not. Never throws; never aborts.
#pragma once
#include <string>
#include <vector>

namespace gru {

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  int computeMajor = 0, computeMinor = 0;
  size_t totalBytes = 0;
};

struct CudaProbe {
  bool compiled = false;   // built with nvcc
  bool available = false;  // driver, device, our kernels, cuDNN and cuBLAS all usable
  std::string reason;      // why not available
  int runtimeVersion = 0;  // CUDA runtime linked in (e.g. 13000)
  int driverVersion = 0;
  std::vector<CudaDeviceInfo> devices;
  std::string cudnnVersion;   // e.g. "9.1.0"; empty until cuDNN was loaded
  std::string cublasVersion;  // e.g. "13.0.2"
  std::string cudnnPath;      // the file it was opened from
  std::string cublasPath;
};

CudaProbe probeCuda();

// CUDA builds only. The first probeCuda() result, computed once per process (the backend
// consults it before it creates itself).
const CudaProbe& cachedCudaProbe();

// CUDA builds only. Opens one library (dynload.h) and reports what happened; never throws.
struct CudaLibraryInfo {
  bool loaded = false;  // opened, and has every function gru-native calls
  std::string soname;   // the soname that opened
  std::string path;     // the file it was opened from
  std::string version;
  std::string error;    // why not loaded
};
CudaLibraryInfo probeCudnnLibrary();
CudaLibraryInfo probeCublasLibrary();

}  // namespace gru
