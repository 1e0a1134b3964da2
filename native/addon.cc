#include "addon.h"

#include "bindings/js_errors.h"

namespace gru {

Addon::Addon(Napi::Env env, Napi::Object exports) : cpu_(std::make_unique<CpuBackend>()) {
  registerTensorBindings(env, exports, *this);
  registerRuntimeBindings(env, exports);
  registerOpsBindings(env, exports);
  registerGruBindings(env, exports);
}

Backend& Addon::backend(DeviceKind device) {
  if (device == DeviceKind::Cpu) return *cpu_;
  throw Error(ErrorKind::BackendUnavailable,
              "the cuda backend is not available in this build of gru-native");
}

}  // namespace gru

using GruNativeAddon = gru::Addon;
NODE_API_ADDON(GruNativeAddon)
