// Process facts and controls: constants shared with TS, memory counters, thread count, the
// error factory, and the backends probe.
#include <thread>

#include "../addon.h"
#include "../core/memory_stats.h"
#include "../cpu/blas.h"
#include "../cuda/probe.h"
#include "args.h"
#include "js_errors.h"

namespace gru {
namespace {

GRU_BINDING(constants) {
  Napi::Env env = info.Env();
  Napi::Object dtypes = Napi::Object::New(env);
  for (int i = 0; i < kDTypeCount; ++i) dtypes.Set(dtypeName(static_cast<DType>(i)), i);
  Napi::Object devices = Napi::Object::New(env);
  devices.Set("cpu", static_cast<int32_t>(DeviceKind::Cpu));
  devices.Set("cuda", static_cast<int32_t>(DeviceKind::Cuda));
  Napi::Object errorKinds = Napi::Object::New(env);
  errorKinds.Set("ArgumentError", static_cast<int32_t>(ErrorKind::Argument));
  errorKinds.Set("ShapeError", static_cast<int32_t>(ErrorKind::Shape));
  errorKinds.Set("DTypeError", static_cast<int32_t>(ErrorKind::DType));
  errorKinds.Set("DeviceError", static_cast<int32_t>(ErrorKind::Device));
  errorKinds.Set("BackendUnavailableError", static_cast<int32_t>(ErrorKind::BackendUnavailable));
  errorKinds.Set("NativeError", static_cast<int32_t>(ErrorKind::Native));
  errorKinds.Set("DisposedError", static_cast<int32_t>(ErrorKind::Disposed));
  errorKinds.Set("OutOfMemoryError", static_cast<int32_t>(ErrorKind::OutOfMemory));
  Napi::Object result = Napi::Object::New(env);
  result.Set("dtypes", dtypes);
  result.Set("devices", devices);
  result.Set("errorKinds", errorKinds);
  result.Set("napiVersion", NAPI_VERSION);
  return result;
}

GRU_BINDING(setErrorFactory) {
  if (info.Length() < 1 || !info[0].IsFunction()) throw Error(ErrorKind::Argument, "argument 0 (factory) must be a function");
  Addon::of(info.Env()).errorFactory = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

GRU_BINDING(memory) {
  Napi::Env env = info.Env();
  const MemoryStats& stats = memoryStats();
  Napi::Object result = Napi::Object::New(env);
  result.Set("tensors", static_cast<double>(stats.liveTensors.load()));
  result.Set("hostBytes", static_cast<double>(stats.hostBytes.load()));
  result.Set("hostCachedBytes", static_cast<double>(stats.hostCachedBytes.load()));
  result.Set("deviceBytes", static_cast<double>(stats.deviceBytes.load()));
  result.Set("deviceCachedBytes", static_cast<double>(stats.deviceCachedBytes.load()));
  return result;
}

GRU_BINDING(cpuInfo) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("blas", blasConfig());
  result.Set("threads", blasThreads());
  result.Set("hardwareThreads", static_cast<double>(std::thread::hardware_concurrency()));
  return result;
}

// Threads OpenBLAS may use. Waits for queued work first so no running op changes its pool.
GRU_BINDING(setNumThreads) {
  const int64_t threads = intArg(info, 0, "threads", 1);
  Addon::of(info.Env()).cpu().synchronize();
  setBlasThreads(static_cast<int>(threads));
  return info.Env().Undefined();
}

GRU_BINDING(probeCudaBinding) {
  Napi::Env env = info.Env();
  const CudaProbe probe = probeCuda();
  Napi::Object result = Napi::Object::New(env);
  result.Set("compiled", probe.compiled);
  result.Set("available", probe.available);
  result.Set("reason", probe.reason);
  result.Set("runtimeVersion", probe.runtimeVersion);
  result.Set("driverVersion", probe.driverVersion);
  Napi::Array devices = Napi::Array::New(env, probe.devices.size());
  for (size_t i = 0; i < probe.devices.size(); ++i) {
    const CudaDeviceInfo& d = probe.devices[i];
    Napi::Object device = Napi::Object::New(env);
    device.Set("index", d.index);
    device.Set("name", d.name);
    device.Set("computeCapability", std::to_string(d.computeMajor) + "." + std::to_string(d.computeMinor));
    device.Set("totalBytes", static_cast<double>(d.totalBytes));
    devices.Set(static_cast<uint32_t>(i), device);
  }
  result.Set("devices", devices);
  return result;
}

}  // namespace

void registerRuntimeBindings(Napi::Env env, Napi::Object exports) {
  exports.Set("constants", Napi::Function::New(env, constants, "constants"));
  exports.Set("setErrorFactory", Napi::Function::New(env, setErrorFactory, "setErrorFactory"));
  exports.Set("memory", Napi::Function::New(env, memory, "memory"));
  exports.Set("cpuInfo", Napi::Function::New(env, cpuInfo, "cpuInfo"));
  exports.Set("setNumThreads", Napi::Function::New(env, setNumThreads, "setNumThreads"));
  exports.Set("probeCuda", Napi::Function::New(env, probeCudaBinding, "probeCuda"));
}

}  // namespace gru
