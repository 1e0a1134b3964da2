// Process facts and controls: constants shared with TS, memory counters, thread count, the
// error factory, and the backends probe.
#include <new>
#include <stdexcept>

#include "../addon.h"
#include "../core/memory_stats.h"
#include "../cpu/blas.h"
#include "../cpu/kernel_targets.h"
#include "../cpu/sgemm.h"
#include "../cpu/worker_pool.h"
#include "../cuda/probe.h"
#include "../ops/op_codes.h"
#include "args.h"
#include "gru_config_arg.h"
#include "js_errors.h"

namespace gru {
namespace {

// Every code list of Note [op codes], plus dtypes, devices and error kinds, as { jsName: value }.
GRU_BINDING(constants) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  auto table = [&](const char* key, auto fill) {
    Napi::Object codes = Napi::Object::New(env);
    fill(codes);
    result.Set(key, codes);
  };
#define GRU_CODE_ENTRY(name, value, js, ...) codes.Set(js, value);
  table("dtypes", [](Napi::Object& codes) { GRU_DTYPES(GRU_CODE_ENTRY) });
  table("devices", [](Napi::Object& codes) { GRU_DEVICES(GRU_CODE_ENTRY) });
  table("errorKinds", [](Napi::Object& codes) { GRU_ERROR_KINDS(GRU_CODE_ENTRY) });
  table("binaryOps", [](Napi::Object& codes) { GRU_BINARY_OPS(GRU_CODE_ENTRY) });
  table("kernels", [](Napi::Object& codes) { GRU_KERNELS(GRU_CODE_ENTRY) });
  table("inferenceWeights", [](Napi::Object& codes) { GRU_INFERENCE_WEIGHTS(GRU_CODE_ENTRY) });
  table("distributions", [](Napi::Object& codes) { GRU_DISTRIBUTIONS(GRU_CODE_ENTRY) });
  table("unaryOps", [](Napi::Object& codes) { GRU_UNARY_OPS(GRU_CODE_ENTRY) });
  table("reduceOps", [](Napi::Object& codes) { GRU_REDUCE_OPS(GRU_CODE_ENTRY) });
  table("elementLosses", [](Napi::Object& codes) { GRU_ELEMENT_LOSSES(GRU_CODE_ENTRY) });
  table("classLosses", [](Napi::Object& codes) { GRU_CLASS_LOSSES(GRU_CODE_ENTRY) });
  table("optimizers", [](Napi::Object& codes) { GRU_OPTIMIZERS(GRU_CODE_ENTRY) });
  table("gruActivations", [](Napi::Object& codes) { GRU_ACTIVATIONS(GRU_CODE_ENTRY) });
  table("gruGateSteps", [](Napi::Object& codes) { GRU_GATE_STEPS(GRU_CODE_ENTRY) });
#undef GRU_CODE_ENTRY
  result.Set("gruConfigFields", gruConfigFieldTable(env));
  result.Set("napiVersion", static_cast<double>(NAPI_VERSION));
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
  result.Set("blasCore", blasCoreName());
  result.Set("kernels", cpuKernelLevel());
  result.Set("sgemm", cpu::sgemmKernelName());
  result.Set("threads", blasThreads());
  result.Set("sideBySideRuns", static_cast<double>(cpu::sideBySideRuns()));
  result.Set("dissolvedTeams", static_cast<double>(cpu::dissolvedTeams()));
  return result;
}

// Threads OpenBLAS may use. Waits for queued work first so no running op changes its pool. A
// count OpenBLAS would not honour (it caps at its build's limit) is refused, not silently cut.
GRU_BINDING(setNumThreads) {
  const int64_t threads = intArg(info, 0, "threads", 1, 1 << 20);
  Addon::of(info.Env()).cpu().synchronize();
  const int previous = blasThreads();
  setBlasThreads(static_cast<int>(threads));
  const int granted = blasThreads();
  if (granted != threads) {
    setBlasThreads(previous);
    throw Error(ErrorKind::Argument, "threads must be at most " + std::to_string(granted) +
                                         " (the most this OpenBLAS build runs), got " + std::to_string(threads));
  }
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

// Tests: throws a C++ exception of the named sort, to show each becomes a typed JS error.
GRU_BINDING(throwForTest) {
  const int64_t what = intArg(info, 0, "what", 0, 3);
  switch (what) {
    case 0: throw 42;  // not a std::exception
    case 1: throw std::runtime_error("a std::runtime_error");
    case 2: throw std::bad_alloc();
    default: throw Error(ErrorKind::Shape, "a gru::Error");
  }
  return info.Env().Undefined();
}

}  // namespace

void registerRuntimeBindings(Napi::Object exports) {
  GRU_EXPORT(exports, constants);
  GRU_EXPORT(exports, setErrorFactory);
  GRU_EXPORT(exports, memory);
  GRU_EXPORT(exports, cpuInfo);
  GRU_EXPORT(exports, setNumThreads);
  exports.Set("probeCuda", Napi::Function::New(exports.Env(), probeCudaBinding, "probeCuda"));
  GRU_EXPORT(exports, throwForTest);
}

}  // namespace gru
