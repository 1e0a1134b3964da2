// Per-environment state of the addon (the main thread and each worker_thread get their own):
// the CPU backend with its stream, the tensor-handle constructor and the JS error factory. The
// CUDA backend is one per process, shared by every environment (cuda/cuda_backend.h).
#pragma once
#include <napi.h>

#include <memory>

#include "backend.h"
#include "cpu/cpu_backend.h"

namespace gru {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);

  static Addon& of(Napi::Env env) { return *env.GetInstanceData<Addon>(); }

  // The backend of `device`. cuda: the process's CudaBackend, created on first use; throws
  // BackendUnavailableError with the probe's reason where CUDA cannot be used.
  Backend& backend(DeviceKind device);
  CpuBackend& cpu() { return *cpu_; }

  Napi::FunctionReference tensorConstructor;
  Napi::FunctionReference errorFactory;  // (kind, message, code) => Error, set by lib/native/binding.ts

 private:
  std::unique_ptr<CpuBackend> cpu_;
};

// Registration hooks, one per bindings/ file.
void registerTensorBindings(Napi::Env env, Napi::Object exports, Addon& addon);
void registerRuntimeBindings(Napi::Object exports);
void registerOpsBindings(Napi::Object exports);
void registerTensorOpsBindings(Napi::Object exports);
void registerTrainingBindings(Napi::Object exports);
void registerDeviceBindings(Napi::Object exports);
void registerGruBindings(Napi::Object exports);
void registerGruInferenceBindings(Napi::Object exports);

}  // namespace gru
