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
  bool available = false;
  std::string reason;      // why not available
  int runtimeVersion = 0;  // CUDA runtime linked in (e.g. 13000)
  int driverVersion = 0;
  std::vector<CudaDeviceInfo> devices;
};

CudaProbe probeCuda();

}  // namespace gru
