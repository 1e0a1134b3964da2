#include "addon.h"

#include "bindings/js_errors.h"
#include "cuda/probe.h"
#ifdef GRU_WITH_CUDA
#include "cuda/cuda_backend.h"
#endif

namespace gru {

Addon::Addon(Napi::Env env, Napi::Object exports) : cpu_(std::make_unique<CpuBackend>()) {
  registerTensorBindings(env, exports, *this);
  registerRuntimeBindings(exports);
  registerOpsBindings(exports);
  registerTensorOpsBindings(exports);
  registerTrainingBindings(exports);
  registerDeviceBindings(exports);
  registerGruBindings(exports);
  registerGruInferenceBindings(exports);
}

Backend& Addon::backend(DeviceKind device) {
  if (device == DeviceKind::Cpu) return *cpu_;
#ifdef GRU_WITH_CUDA
  return sharedCudaBackend();
#else
  throw Error(ErrorKind::BackendUnavailable, "the cuda backend is not available: " + probeCuda().reason);
#endif
}

}  // namespace gru

using GruNativeAddon = gru::Addon;
NODE_API_ADDON(GruNativeAddon)
