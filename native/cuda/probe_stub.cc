// Built when no CUDA toolkit was found: the backend is compiled out.
#include "probe.h"

namespace gru {

CudaProbe probeCuda() {
  CudaProbe probe;
  probe.reason = "built without the CUDA toolkit (nvcc was not found when gru-native was compiled)";
  return probe;
}

}  // namespace gru
