// The GRU kernels (native/cpu/gru_cpu.h) as addon functions: gruBufferSizes, gruForward and
// gruBackward, each taking the problem as a config object and `impl` (0 fast, 1 reference).
// lib/ops/gru.ts validates with user-facing messages first; the checks here are complete anyway
// (every element count, dtype and device), because the kernels trust them to stay in bounds.
// Work is queued on the CPU stream and never waited for. The lengths' values are checked inside
// the queued task, since a queued op may still be writing them; a bad value surfaces as an
// ArgumentError at the next synchronising call.
#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "../addon.h"
#include "../cpu/gru_cpu.h"
#include "../cuda/gru_refs.h"
#include "args.h"
#include "js_errors.h"
#ifdef GRU_WITH_CUDA
#include "../cuda/cuda_backend.h"
#endif

namespace gru {
namespace {

enum class GruImpl : int { Fast = 0, Reference = 1 };

// ---- config
// The config arrives packed in a Float64Array (lib/native/gru-config.ts, GRU_CONFIG_FIELDS), so a
// streaming step pays for no property lookups.

enum ConfigField : size_t {
  kInputSize, kHiddenSize, kNumLayers, kBidirectional, kBias, kResetAfter, kSeqLen, kBatch, kBatchFirst,
  kDropout, kSeedLow, kSeedHigh, kDropoutOffset, kConfigFields
};
const char* const kConfigNames[] = {"inputSize", "hiddenSize", "numLayers", "bidirectional", "bias", "resetAfter", "seqLen",
                                    "batch", "batchFirst", "dropout", "dropoutSeed (low word)", "dropoutSeed (high word)",
                                    "dropoutOffset"};

std::string configLabel(size_t field) { return std::string("argument 0 (config).") + kConfigNames[field]; }

int64_t configInt(const double* values, size_t field, int64_t min, int64_t max = 2147483647) {
  const double number = values[field];
  if (!std::isfinite(number) || std::floor(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    throw Error(ErrorKind::Argument, configLabel(field) + " must be an integer in [" + std::to_string(min) + ", " +
                                         std::to_string(max) + "], got " + std::to_string(number));
  }
  return static_cast<int64_t>(number);
}

bool configBool(const double* values, size_t field) { return configInt(values, field, 0, 1) == 1; }

GruConfig configArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[0].As<Napi::TypedArray>().ElementLength() != kConfigFields) {
    throw Error(ErrorKind::Argument, "argument 0 (config) must be a Float64Array of " + std::to_string(kConfigFields) +
                                         " fields (packGruConfig in lib/native/gru-config.ts)");
  }
  const double* v = info[0].As<Napi::Float64Array>().Data();
  GruConfig c;
  c.inputSize = configInt(v, kInputSize, 1);
  c.hiddenSize = configInt(v, kHiddenSize, 1);
  c.numLayers = configInt(v, kNumLayers, 1);
  c.bidirectional = configBool(v, kBidirectional);
  c.bias = configBool(v, kBias);
  c.resetAfter = configBool(v, kResetAfter);
  c.seqLen = configInt(v, kSeqLen, 1);
  c.batch = configInt(v, kBatch, 1);
  c.batchFirst = configBool(v, kBatchFirst);
  c.dropout = v[kDropout];
  if (!(c.dropout >= 0.0 && c.dropout <= 1.0)) throw Error(ErrorKind::Argument, configLabel(kDropout) + " must be a number in [0, 1]");
  const uint64_t seedLow = static_cast<uint64_t>(configInt(v, kSeedLow, 0, 4294967295LL));
  const uint64_t seedHigh = static_cast<uint64_t>(configInt(v, kSeedHigh, 0, 4294967295LL));
  c.dropoutSeed = (seedHigh << 32) | seedLow;
  c.dropoutOffset = static_cast<uint64_t>(configInt(v, kDropoutOffset, 0, 9007199254740991));
  // BLAS takes int dimensions and row strides; the largest are T*B rows and a batch-first
  // step's stride of T rows of up to max(I, 6H, D*H) elements.
  // (In double: the int64 products of unchecked sizes could overflow.)
  const double widest = static_cast<double>(std::max({c.inputSize, 6 * c.hiddenSize, c.directions() * c.hiddenSize}));
  const double T = static_cast<double>(c.seqLen), B = static_cast<double>(c.batch), H = static_cast<double>(c.hiddenSize);
  if (T * B > INT_MAX || T * widest > INT_MAX || 3 * H * widest > INT_MAX || T * B * widest * c.numLayers > 1e15) {
    throw Error(ErrorKind::Argument, "argument 0 (config) describes a GRU too large for 32-bit BLAS dimensions");
  }
  return c;
}

GruImpl implArg(const Napi::CallbackInfo& info, size_t index) {
  const int64_t value = intArg(info, index, "impl");
  if (value > 1) throw Error(ErrorKind::Argument, argLabel(index, "impl") + " must be 0 (fast) or 1 (reference), got " + std::to_string(value));
  return static_cast<GruImpl>(value);
}

GruBufferSizes bufferSizes(const GruConfig& c, GruImpl impl) {
  return impl == GruImpl::Fast ? cpu::gruBufferSizes(c) : reference::gruBufferSizes(c);
}

// ---- tensors

// A tensor argument, or an empty TensorRef (null storage) for null/undefined when allowed.
TensorRef tensorOrNull(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index < info.Length() && (info[index].IsNull() || info[index].IsUndefined())) return TensorRef{};
  return tensorArg(info, index, name).ref();
}

// Checks one tensor: on the CPU, of `dtype`, with exactly `numel` elements.
void requireTensor(const TensorRef& t, size_t index, const char* name, DType dtype, int64_t numel, const char* shape,
                   DeviceKind device = DeviceKind::Cpu) {
  if (t.device() != device) {
    throw Error(ErrorKind::Device, argLabel(index, name) + " is on " + deviceName(t.device()) + " but must be on " +
                                       deviceName(device) + (index == 4 ? " (lengths stay on the host)" : " like x"));
  }
  if (t.dtype != dtype) {
    throw Error(ErrorKind::DType, argLabel(index, name) + " must be " + dtypeName(dtype) + " (like x), got " + dtypeName(t.dtype));
  }
  if (t.numel != numel) {
    throw Error(ErrorKind::Shape, argLabel(index, name) + " must have " + std::to_string(numel) + " elements (" + shape +
                                      "), got " + std::to_string(t.numel));
  }
}

DType floatDTypeOf(const TensorRef& x, size_t index) {
  if (x.dtype != DType::Float32 && x.dtype != DType::Float64) {
    throw Error(ErrorKind::DType, argLabel(index, "x") + " must be float32 or float64, got " + dtypeName(x.dtype));
  }
  return x.dtype;
}

// Element counts every tensor of a GRU call must have.
struct GruShapes {
  explicit GruShapes(const GruConfig& c)
      : x(c.seqLen * c.batch * c.inputSize),
        y(c.seqLen * c.batch * c.directions() * c.hiddenSize),
        state(c.numLayers * c.directions() * c.batch * c.hiddenSize),
        weights(gruWeightCount(c)),
        lengths(c.batch) {}
  int64_t x, y, state, weights, lengths;
};

// Everything a queued GRU task touches; copies of TensorRefs keep the storages alive.
struct GruTask {
  GruConfig config;
  GruImpl impl = GruImpl::Fast;
  TensorRef x, h0, weights, lengths, y, hN, reserve, dy, dhN, dx, dh0, dweights;
  StoragePtr workspace;

  template <typename T>
  static T* data(const TensorRef& t) {
    return t.storage ? t.data<T>() : nullptr;
  }

  void checkLengths() const {
    if (!lengths.storage) return;
    const int32_t* values = lengths.data<int32_t>();
    for (int64_t b = 0; b < config.batch; ++b) {
      if (values[b] < 1 || values[b] > config.seqLen) {
        throw Error(ErrorKind::Argument, "lengths[" + std::to_string(b) + "] = " + std::to_string(values[b]) +
                                             " is outside [1, seqLen = " + std::to_string(config.seqLen) + "]");
      }
    }
  }

  template <typename T>
  void forward() const {
    GruForwardArgs<T> a;
    a.x = data<T>(x);
    a.h0 = data<T>(h0);
    a.weights = data<T>(weights);
    a.lengths = data<int32_t>(lengths);
    a.y = data<T>(y);
    a.hN = data<T>(hN);
    a.reserve = data<T>(reserve);
    a.workspace = workspace ? static_cast<T*>(workspace->data()) : nullptr;
    if (impl == GruImpl::Fast) cpu::gruForward(config, a);
    else reference::gruForward(config, a);
  }

  template <typename T>
  void backward() const {
    GruBackwardArgs<T> a;
    a.x = data<T>(x);
    a.h0 = data<T>(h0);
    a.weights = data<T>(weights);
    a.lengths = data<int32_t>(lengths);
    a.reserve = data<T>(reserve);
    a.dy = data<T>(dy);
    a.dhN = data<T>(dhN);
    a.dx = data<T>(dx);
    a.dh0 = data<T>(dh0);
    a.dweights = data<T>(dweights);
    a.workspace = workspace ? static_cast<T*>(workspace->data()) : nullptr;
    if (impl == GruImpl::Fast) cpu::gruBackward(config, a);
    else reference::gruBackward(config, a);
  }
};

StoragePtr allocateWorkspace(int64_t elements, DType dtype) {
  if (elements == 0) return nullptr;
  return makeStorage(hostAllocator(), static_cast<size_t>(elements) * dtypeSize(dtype));
}

// Checks the inputs forward and backward share: x, h0, weights, lengths.
DType checkInputs(const GruTask& task, const GruShapes& shapes) {
  const DType dtype = floatDTypeOf(task.x, 1);
  const DeviceKind device = task.x.device();
  requireTensor(task.x, 1, "x", dtype, shapes.x, "seqLen * batch * inputSize", device);
  if (task.h0.storage) requireTensor(task.h0, 2, "h0", dtype, shapes.state, "numLayers * directions * batch * hiddenSize", device);
  requireTensor(task.weights, 3, "weights", dtype, shapes.weights, "the flat GRU parameter count", device);
  if (task.lengths.storage) {
    if (task.lengths.dtype != DType::Int32) {
      throw Error(ErrorKind::DType, argLabel(4, "lengths") + " must be int32, got " + dtypeName(task.lengths.dtype));
    }
    requireTensor(task.lengths, 4, "lengths", DType::Int32, shapes.lengths, "batch");
  }
  return dtype;
}

// Streaming steps and other tiny problems (under ~2 MFLOP, tens of microseconds) run inline
// when the CPU stream is idle: a thread hand-off would cost more than the work.
bool isSmallProblem(const GruConfig& c) {
  const double perStep = 6.0 * static_cast<double>(c.batch) * static_cast<double>(c.hiddenSize) *
                         static_cast<double>(c.inputSize + c.hiddenSize) * static_cast<double>(c.directions());
  return perStep * static_cast<double>(c.seqLen) * static_cast<double>(c.numLayers) < 2e6;
}

// ---- the cuda route: cuDNN through the CUDA backend (lengths are read here, on the host)

std::optional<TensorRef> optionalRef(const TensorRef& t) {
  return t.storage ? std::optional<TensorRef>(t) : std::nullopt;
}

std::vector<int32_t> hostLengths(Napi::Env env, const GruTask& task) {
  if (!task.lengths.storage) return {};
  Addon::of(env).cpu().synchronize();  // no queued CPU op may still be writing them
  task.checkLengths();
  const int32_t* values = task.lengths.data<int32_t>();
  return std::vector<int32_t>(values, values + task.config.batch);
}

int64_t cudaReserveCount(const GruConfig& config, DType dtype) {
#ifdef GRU_WITH_CUDA
  return sharedCudaBackend().gruReserveCount(config, dtype);
#else
  (void)config, (void)dtype;
  throw Error(ErrorKind::BackendUnavailable, "the GRU on cuda needs a build with the CUDA toolkit");
#endif
}

void requireFastOnCuda(const GruTask& task) {
  if (task.impl != GruImpl::Fast) throw Error(ErrorKind::Argument, "the reference GRU (impl 1) runs on cpu only");
}

// (config, impl, device?, dtype?) -> { reserve, forwardWorkspace, backwardWorkspace }, element
// counts; on cuda only `reserve` is meaningful (cuDNN sizes its workspace per call).
GRU_BINDING(gruBufferSizes) {
  const GruConfig config = configArg(info);
  GruBufferSizes sizes = bufferSizes(config, implArg(info, 1));
  if (info.Length() > 2 && !info[2].IsUndefined() && deviceArg(info, 2, "device") == DeviceKind::Cuda) {
    sizes = GruBufferSizes{cudaReserveCount(config, dtypeArg(info, 3, "dtype")), 0, 0};
  }
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("reserve", static_cast<double>(sizes.reserve));
  result.Set("forwardWorkspace", static_cast<double>(sizes.forwardWorkspace));
  result.Set("backwardWorkspace", static_cast<double>(sizes.backwardWorkspace));
  return result;
}

// (config, x, h0 | null, weights, lengths | null, y, hN, reserve | null, impl)
GRU_BINDING(gruForward) {
  GruTask task;
  task.config = configArg(info);
  task.x = tensorArg(info, 1, "x").ref();
  task.h0 = tensorOrNull(info, 2, "h0");
  task.weights = tensorArg(info, 3, "weights").ref();
  task.lengths = tensorOrNull(info, 4, "lengths");
  task.y = tensorArg(info, 5, "y").ref();
  task.hN = tensorArg(info, 6, "hN").ref();
  task.reserve = tensorOrNull(info, 7, "reserve");
  task.impl = implArg(info, 8);
  const GruShapes shapes(task.config);
  const DType dtype = checkInputs(task, shapes);
  const DeviceKind device = task.x.device();
  const bool onCuda = device == DeviceKind::Cuda;
  if (onCuda) requireFastOnCuda(task);
  const int64_t reserveCount = onCuda ? cudaReserveCount(task.config, dtype) : bufferSizes(task.config, task.impl).reserve;
  requireTensor(task.y, 5, "y", dtype, shapes.y, "seqLen * batch * directions * hiddenSize", device);
  requireTensor(task.hN, 6, "hN", dtype, shapes.state, "numLayers * directions * batch * hiddenSize", device);
  if (task.reserve.storage) requireTensor(task.reserve, 7, "reserve", dtype, reserveCount, "gruBufferSizes(config, impl).reserve", device);
  if (onCuda) {
    GruForwardRefs refs{task.x, optionalRef(task.h0), task.weights, hostLengths(info.Env(), task), task.y, task.hN, optionalRef(task.reserve)};
#ifdef GRU_WITH_CUDA
    sharedCudaBackend().gruForward(task.config, refs);
#endif
    return info.Env().Undefined();
  }
  task.workspace = allocateWorkspace(bufferSizes(task.config, task.impl).forwardWorkspace, dtype);

  CpuBackend& cpu = Addon::of(info.Env()).cpu();
  cpu.raisePendingError();
  const bool small = isSmallProblem(task.config);
  cpu.stream().enqueue([task = std::move(task), dtype] {
    task.checkLengths();
    if (dtype == DType::Float32) task.forward<float>();
    else task.forward<double>();
  }, small);
  return info.Env().Undefined();
}

// (config, x, h0 | null, weights, lengths | null, reserve, dy | null, dhN | null, dx | null,
//  dh0 | null, dweights, impl, y?); dweights is accumulated into. y (the forward's output) is
// needed on cuda only, where cuDNN's backward reads it.
GRU_BINDING(gruBackward) {
  GruTask task;
  task.config = configArg(info);
  task.x = tensorArg(info, 1, "x").ref();
  task.h0 = tensorOrNull(info, 2, "h0");
  task.weights = tensorArg(info, 3, "weights").ref();
  task.lengths = tensorOrNull(info, 4, "lengths");
  task.reserve = tensorArg(info, 5, "reserve").ref();
  task.dy = tensorOrNull(info, 6, "dy");
  task.dhN = tensorOrNull(info, 7, "dhN");
  task.dx = tensorOrNull(info, 8, "dx");
  task.dh0 = tensorOrNull(info, 9, "dh0");
  task.dweights = tensorArg(info, 10, "dweights").ref();
  task.impl = implArg(info, 11);
  const GruShapes shapes(task.config);
  const DType dtype = checkInputs(task, shapes);
  const DeviceKind device = task.x.device();
  const bool onCuda = device == DeviceKind::Cuda;
  if (onCuda) requireFastOnCuda(task);
  const int64_t reserveCount = onCuda ? cudaReserveCount(task.config, dtype) : bufferSizes(task.config, task.impl).reserve;
  requireTensor(task.reserve, 5, "reserve", dtype, reserveCount, "gruBufferSizes(config, impl).reserve", device);
  if (task.dy.storage) requireTensor(task.dy, 6, "dy", dtype, shapes.y, "seqLen * batch * directions * hiddenSize", device);
  if (task.dhN.storage) requireTensor(task.dhN, 7, "dhN", dtype, shapes.state, "numLayers * directions * batch * hiddenSize", device);
  if (task.dx.storage) requireTensor(task.dx, 8, "dx", dtype, shapes.x, "seqLen * batch * inputSize", device);
  if (task.dh0.storage) requireTensor(task.dh0, 9, "dh0", dtype, shapes.state, "numLayers * directions * batch * hiddenSize", device);
  requireTensor(task.dweights, 10, "dweights", dtype, shapes.weights, "the flat GRU parameter count", device);
  if (onCuda) {
    if (info.Length() <= 12 || info[12].IsNull() || info[12].IsUndefined()) {
      throw Error(ErrorKind::Argument, "argument 12 (y) is required on cuda: cuDNN's backward reads the forward's output");
    }
    task.y = tensorArg(info, 12, "y").ref();
    requireTensor(task.y, 12, "y", dtype, shapes.y, "seqLen * batch * directions * hiddenSize", device);
    GruBackwardRefs refs{task.x, optionalRef(task.h0), task.weights, hostLengths(info.Env(), task), task.y, task.reserve,
                         optionalRef(task.dy), optionalRef(task.dhN), optionalRef(task.dx), optionalRef(task.dh0), task.dweights};
#ifdef GRU_WITH_CUDA
    sharedCudaBackend().gruBackward(task.config, refs);
#endif
    return info.Env().Undefined();
  }
  task.workspace = allocateWorkspace(bufferSizes(task.config, task.impl).backwardWorkspace, dtype);

  CpuBackend& cpu = Addon::of(info.Env()).cpu();
  cpu.raisePendingError();
  cpu.stream().enqueue([task = std::move(task), dtype] {
    task.checkLengths();
    if (dtype == DType::Float32) task.backward<float>();
    else task.backward<double>();
  });
  return info.Env().Undefined();
}

}  // namespace

void registerGruBindings(Napi::Env env, Napi::Object exports) {
  exports.Set("gruBufferSizes", Napi::Function::New(env, gruBufferSizes, "gruBufferSizes"));
  exports.Set("gruForward", Napi::Function::New(env, gruForward, "gruForward"));
  exports.Set("gruBackward", Napi::Function::New(env, gruBackward, "gruBackward"));
}

}  // namespace gru
