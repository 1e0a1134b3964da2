// The GRU as addon functions: gruBufferSizes, gruForward and gruBackward, each taking the problem
// as a packed config and `impl` (0 fast, 1 reference CPU kernel), and calling the Backend of x's
// device (native/gru_requests.h). lib/ops/gru.ts validates with user-facing messages first; the
// checks here are complete anyway (every element count, dtype and device), because the kernels
// trust them to stay in bounds.
#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <string>

#include "../addon.h"
#include "../gru_requests.h"
#include "args.h"
#include "js_errors.h"
#ifdef GRU_WITH_CUDA
#include "../cuda/cuda_backend.h"
#endif

namespace gru {
namespace {

// ---- config
// The config arrives packed in a Float64Array (lib/native/gru-config.ts, GRU_CONFIG_FIELDS), so a
// streaming step pays for no property lookups.

enum ConfigField : size_t {
  kInputSize, kHiddenSize, kNumLayers, kBidirectional, kBias, kResetAfter, kSeqLen, kBatch, kBatchFirst,
  kDropout, kSeedLow, kSeedHigh, kDropoutOffset, kAllowTF32, kConfigFields
};
const char* const kConfigNames[] = {"inputSize", "hiddenSize", "numLayers", "bidirectional", "bias", "resetAfter", "seqLen",
                                    "batch", "batchFirst", "dropout", "dropoutSeed (low word)", "dropoutSeed (high word)",
                                    "dropoutOffset", "allowTF32"};

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
  c.allowTF32 = configBool(v, kAllowTF32);
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

GruKernel kernelArg(const Napi::CallbackInfo& info, size_t index) {
  const int64_t value = intArg(info, index, "impl");
  if (value > 1) throw Error(ErrorKind::Argument, argLabel(index, "impl") + " must be 0 (fast) or 1 (reference), got " + std::to_string(value));
  return static_cast<GruKernel>(value);
}

// ---- tensors

// A tensor argument, or nothing for null/undefined.
std::optional<TensorRef> optionalTensor(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || info[index].IsNull() || info[index].IsUndefined()) return std::nullopt;
  return tensorArg(info, index, name).ref();
}

// Checks one tensor: on `device`, of `dtype`, with exactly `numel` elements.
void requireTensor(const TensorRef& t, size_t index, const char* name, DType dtype, int64_t numel, const char* shape,
                   DeviceKind device) {
  if (t.device() != device) {
    throw Error(ErrorKind::Device, argLabel(index, name) + " is on " + deviceName(t.device()) + " but must be on " +
                                       deviceName(device) + (index == 4 ? " (lengths stay on the host)" : " like x"));
  }
  if (t.dtype != dtype) {
    throw Error(ErrorKind::DType, argLabel(index, name) + " must be " + dtypeName(dtype) +
                                      (index == 4 ? "" : " (like x)") + ", got " + dtypeName(t.dtype));
  }
  if (t.numel != numel) {
    throw Error(ErrorKind::Shape, argLabel(index, name) + " must have " + std::to_string(numel) + " elements (" + shape +
                                      "), got " + std::to_string(t.numel));
  }
}

void requireOptional(const std::optional<TensorRef>& t, size_t index, const char* name, DType dtype, int64_t numel,
                     const char* shape, DeviceKind device) {
  if (t) requireTensor(*t, index, name, dtype, numel, shape, device);
}

DType floatDTypeOf(const TensorRef& x, size_t index) {
  if (x.dtype != DType::Float32 && x.dtype != DType::Float64) {
    throw Error(ErrorKind::DType, argLabel(index, "x") + " must be float32 or float64, got " + dtypeName(x.dtype));
  }
  return x.dtype;
}

// Element counts every tensor of a GRU call must have, and their names for messages.
struct GruShapes {
  explicit GruShapes(const GruConfig& c)
      : x(c.seqLen * c.batch * c.inputSize),
        y(c.seqLen * c.batch * c.directions() * c.hiddenSize),
        state(c.numLayers * c.directions() * c.batch * c.hiddenSize),
        weights(gruWeightCount(c)),
        lengths(c.batch) {}
  int64_t x, y, state, weights, lengths;
  static constexpr const char* kX = "seqLen * batch * inputSize";
  static constexpr const char* kY = "seqLen * batch * directions * hiddenSize";
  static constexpr const char* kState = "numLayers * directions * batch * hiddenSize";
  static constexpr const char* kWeights = "the flat GRU parameter count";
};

// Arguments 0-4 of both calls (config, x, h0 | null, weights, lengths | null) and the kernel.
void parseInputs(const Napi::CallbackInfo& info, size_t kernelIndex, GruInputs& r) {
  r.config = configArg(info);
  r.x = tensorArg(info, 1, "x").ref();
  r.h0 = optionalTensor(info, 2, "h0");
  r.weights = tensorArg(info, 3, "weights").ref();
  r.lengths = optionalTensor(info, 4, "lengths");
  r.kernel = kernelArg(info, kernelIndex);
}

// Checks the inputs forward and backward share; returns x's dtype.
DType checkInputs(const GruInputs& r, const GruShapes& shapes) {
  const DType dtype = floatDTypeOf(r.x, 1);
  const DeviceKind device = r.x.device();
  requireTensor(r.x, 1, "x", dtype, shapes.x, GruShapes::kX, device);
  requireOptional(r.h0, 2, "h0", dtype, shapes.state, GruShapes::kState, device);
  requireTensor(r.weights, 3, "weights", dtype, shapes.weights, GruShapes::kWeights, device);
  requireOptional(r.lengths, 4, "lengths", DType::Int32, shapes.lengths, "batch", DeviceKind::Cpu);
  return dtype;
}

// The backend of x's device. A non-CPU backend reads the host lengths when called, so no queued
// CPU op may still be writing them.
Backend& backendFor(Napi::Env env, const GruInputs& r) {
  Addon& addon = Addon::of(env);
  const DeviceKind device = r.x.device();
  if (device != DeviceKind::Cpu && r.lengths) addon.cpu().synchronize();
  return addon.backend(device);
}

int64_t reserveCount(Backend& backend, const GruConfig& config, GruKernel kernel, DType dtype) {
  return backend.gruBufferSizes(config, kernel, dtype).reserve;
}

// (config, impl, device?, dtype?) -> { reserve, forwardWorkspace, backwardWorkspace }, element
// counts of `dtype` (default float32) on `device` (default cpu).
GRU_BINDING(gruBufferSizes) {
  const GruConfig config = configArg(info);
  const GruKernel kernel = kernelArg(info, 1);
  const bool hasDevice = info.Length() > 2 && !info[2].IsUndefined();
  const DeviceKind device = hasDevice ? deviceArg(info, 2, "device") : DeviceKind::Cpu;
  const DType dtype = info.Length() > 3 && !info[3].IsUndefined() ? dtypeArg(info, 3, "dtype") : DType::Float32;
  const GruBufferSizes sizes = Addon::of(info.Env()).backend(device).gruBufferSizes(config, kernel, dtype);
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("reserve", static_cast<double>(sizes.reserve));
  result.Set("forwardWorkspace", static_cast<double>(sizes.forwardWorkspace));
  result.Set("backwardWorkspace", static_cast<double>(sizes.backwardWorkspace));
  return result;
}

// (config, x, h0 | null, weights, lengths | null, y, hN, reserve | null, impl)
GRU_BINDING(gruForward) {
  GruForwardRequest r;
  parseInputs(info, 8, r);
  r.y = tensorArg(info, 5, "y").ref();
  r.hN = tensorArg(info, 6, "hN").ref();
  r.reserve = optionalTensor(info, 7, "reserve");
  const GruShapes shapes(r.config);
  const DType dtype = checkInputs(r, shapes);
  const DeviceKind device = r.x.device();
  Backend& backend = backendFor(info.Env(), r);
  requireTensor(r.y, 5, "y", dtype, shapes.y, GruShapes::kY, device);
  requireTensor(r.hN, 6, "hN", dtype, shapes.state, GruShapes::kState, device);
  if (r.reserve) {
    requireTensor(*r.reserve, 7, "reserve", dtype, reserveCount(backend, r.config, r.kernel, dtype),
                  "gruBufferSizes(config, impl, device, dtype).reserve", device);
  }
  backend.gruForward(r);
  return info.Env().Undefined();
}

// (config, x, h0 | null, weights, lengths | null, reserve, dy | null, dhN | null, dx | null,
//  dh0 | null, dweights, impl, y | null); dweights is accumulated into. y (the forward's output)
// is required on cuda, where cuDNN's backward reads it.
GRU_BINDING(gruBackward) {
  GruBackwardRequest r;
  parseInputs(info, 11, r);
  r.reserve = tensorArg(info, 5, "reserve").ref();
  r.dy = optionalTensor(info, 6, "dy");
  r.dhN = optionalTensor(info, 7, "dhN");
  r.dx = optionalTensor(info, 8, "dx");
  r.dh0 = optionalTensor(info, 9, "dh0");
  r.dweights = tensorArg(info, 10, "dweights").ref();
  r.y = optionalTensor(info, 12, "y");
  const GruShapes shapes(r.config);
  const DType dtype = checkInputs(r, shapes);
  const DeviceKind device = r.x.device();
  if (device != DeviceKind::Cpu && !r.y) {
    throw Error(ErrorKind::Argument, "argument 12 (y) is required on " + std::string(deviceName(device)) +
                                         ": cuDNN's backward reads the forward's output");
  }
  Backend& backend = backendFor(info.Env(), r);
  requireTensor(r.reserve, 5, "reserve", dtype, reserveCount(backend, r.config, r.kernel, dtype),
                "gruBufferSizes(config, impl, device, dtype).reserve", device);
  requireOptional(r.dy, 6, "dy", dtype, shapes.y, GruShapes::kY, device);
  requireOptional(r.dhN, 7, "dhN", dtype, shapes.state, GruShapes::kState, device);
  requireOptional(r.dx, 8, "dx", dtype, shapes.x, GruShapes::kX, device);
  requireOptional(r.dh0, 9, "dh0", dtype, shapes.state, GruShapes::kState, device);
  requireTensor(r.dweights, 10, "dweights", dtype, shapes.weights, GruShapes::kWeights, device);
  requireOptional(r.y, 12, "y", dtype, shapes.y, GruShapes::kY, device);
  backend.gruBackward(r);
  return info.Env().Undefined();
}

// (config, dtype) -> "direct" | "packed" | "packed (forced)": whether cuDNN reads our flat weight
// buffer as is for this network shape (Note [cuDNN weight space vs our flat buffer]). Diagnostics.
GRU_BINDING(gruCudnnWeightRoute) {
  const GruConfig config = configArg(info);
  const DType dtype = dtypeArg(info, 1, "dtype");
  Addon::of(info.Env()).backend(DeviceKind::Cuda);  // throws BackendUnavailable with the probe's reason
#ifdef GRU_WITH_CUDA
  return Napi::String::New(info.Env(), sharedCudaBackend().gruWeightRoute(config, dtype));
#else
  (void)config, (void)dtype;
  return info.Env().Undefined();
#endif
}

}  // namespace

void registerGruBindings(Napi::Env env, Napi::Object exports) {
  exports.Set("gruBufferSizes", Napi::Function::New(env, gruBufferSizes, "gruBufferSizes"));
  exports.Set("gruForward", Napi::Function::New(env, gruForward, "gruForward"));
  exports.Set("gruBackward", Napi::Function::New(env, gruBackward, "gruBackward"));
  exports.Set("gruCudnnWeightRoute", Napi::Function::New(env, gruCudnnWeightRoute, "gruCudnnWeightRoute"));
}

}  // namespace gru
