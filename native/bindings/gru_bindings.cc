// The GRU as addon functions: gruForward and gruBackward take the problem as a packed config
// (gru_config_arg.h) and the kernel, check every tensor, allocate the outputs, and call the
// Backend of x's device (ops/gru_requests.h). lib/ops/gru.ts checks shapes with messages naming
// the user's arguments first; the checks here are complete anyway, because the kernels trust
// them to stay in bounds.
#include <initializer_list>
#include <string>
#include <utility>

#include "../addon.h"
#include "../ops/gru_layout.h"
#include "../ops/gru_requests.h"
#include "args.h"
#include "gru_args.h"
#include "gru_config_arg.h"
#include "js_errors.h"
#ifdef GRU_WITH_CUDA
#include "../cuda/cuda_backend.h"
#endif

namespace gru {
namespace {

Kernel kernelArg(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<Kernel>(intArg(info, index, "kernel", 0, kKernelCount - 1));
}

// Arguments 0-4 of both calls (config, x, h0 | null, weights, lengths | null), checked; returns
// the shapes.
GruShapes parseInputs(const Napi::CallbackInfo& info, GruInputs& r) {
  r.config = gruConfigArg(info, 0);
  r.x = tensorArg(info, 1, "x").ref();
  r.h0 = optionalTensorArg(info, 2, "h0");
  r.weights = tensorArg(info, 3, "weights").ref();
  r.lengths = lengthsArg(info, 4, r.config);
  requireFloatDType(r.x.dtype, 1, "x");
  const GruShapes shapes(r.config);
  const DeviceKind device = r.x.device();
  requireTensor(r.x, 1, "x", r.x.dtype, shapes.x, GruShapes::kX, device);
  requireOptional(r.h0, 2, "h0", r.x.dtype, shapes.state, GruShapes::kState, device);
  requireTensor(r.weights, 3, "weights", r.x.dtype, shapes.weights, GruShapes::kWeights, device);
  return shapes;
}

Backend& backendFor(const Napi::CallbackInfo& info, const GruInputs& r) {
  Backend& backend = Addon::of(info.Env()).backend(r.x.device());
  if (r.kernel == Kernel::Reference && r.x.device() != DeviceKind::Cpu) {
    throw Error(ErrorKind::Argument, "the reference GRU kernel runs on cpu only");
  }
  return backend;
}

Napi::Value handleOrNull(Napi::Env env, std::optional<TensorRef> ref) {
  if (!ref) return env.Null();
  return TensorHandle::create(env, std::move(*ref), true);
}

// (config, x, h0 | null, weights, lengths | null, training, kernel)
//   => [y, hN, reserveElements, reserve | null, generatorWords]
// The outputs are allocated here, after every check; a training call also returns the reserve
// its backward needs. generatorWords: what the call's dropout consumed of the generator.
GRU_BINDING(gruForward) {
  Napi::Env env = info.Env();
  GruForwardRequest r;
  const GruShapes shapes = parseInputs(info, r);
  r.training = boolArg(info, 5, "training");
  r.kernel = kernelArg(info, 6);
  Backend& backend = backendFor(info, r);
  r.y = allocateLike(backend, r.x, shapes.y);
  r.hN = allocateLike(backend, r.x, shapes.state);
  std::optional<TensorRef> reserve = backend.gruForward(r);
  // An array: cheaper to fill than an object's named properties, in a call a streaming step makes.
  Napi::Array result = Napi::Array::New(env, 5);
  result.Set(0u, TensorHandle::create(env, std::move(r.y), true));
  result.Set(1u, TensorHandle::create(env, std::move(r.hN), true));
  result.Set(2u, Napi::Number::New(env, static_cast<double>(reserve ? reserve->numel : 0)));
  result.Set(3u, handleOrNull(env, std::move(reserve)));
  result.Set(4u, Napi::Number::New(env, static_cast<double>(r.training ? gruDropoutWords(r.config) : 0)));
  return result;
}

// (config, x, h0 | null, weights, lengths | null, reserve, y | null, dy | null, dhN | null,
//  needDx, needDh0, dweights | null, kernel) => { dx | null, dh0 | null }
// dweights is added to (null: frozen weights, their gradient is not computed). y (the forward's
// output) is required where the backend's backward reads it (cuDNN).
GRU_BINDING(gruBackward) {
  Napi::Env env = info.Env();
  GruBackwardRequest r;
  const GruShapes shapes = parseInputs(info, r);
  const DType dtype = r.x.dtype;
  const DeviceKind device = r.x.device();
  r.reserve = tensorArg(info, 5, "reserve").ref();
  r.y = optionalTensorArg(info, 6, "y");
  r.dy = optionalTensorArg(info, 7, "dy");
  r.dhN = optionalTensorArg(info, 8, "dhN");
  const bool needDx = boolArg(info, 9, "needDx");
  const bool needDh0 = boolArg(info, 10, "needDh0");
  r.dweights = optionalTensorArg(info, 11, "dweights");
  r.kernel = kernelArg(info, 12);
  Backend& backend = backendFor(info, r);
  if (r.reserve.device() != device || r.reserve.dtype != dtype) {
    throw Error(ErrorKind::Argument, argLabel(5, "reserve") + " must be the reserve this GRU's training forward returned");
  }
  if (backend.gruBackwardReadsOutput() && !r.y) {
    throw Error(ErrorKind::Argument, argLabel(6, "y") + " is required on " + std::string(deviceName(device)) +
                                         ": its backward reads the forward's output");
  }
  requireOptional(r.y, 6, "y", dtype, shapes.y, GruShapes::kY, device);
  requireOptional(r.dy, 7, "dy", dtype, shapes.y, GruShapes::kY, device);
  requireOptional(r.dhN, 8, "dhN", dtype, shapes.state, GruShapes::kState, device);
  requireOptional(r.dweights, 11, "dweights", dtype, shapes.weights, GruShapes::kWeights, device);
  if (needDx) r.dx = allocateLike(backend, r.x, shapes.x);
  if (needDh0) r.dh0 = allocateLike(backend, r.x, shapes.state);
  backend.gruBackward(r);
  Napi::Object result = Napi::Object::New(env);
  result.Set("dx", handleOrNull(env, r.dx));
  result.Set("dh0", handleOrNull(env, r.dh0));
  return result;
}

// (config) => the flat parameter count (Note [GRU weight layout]); seqLen and batch are ignored.
GRU_BINDING(gruWeightCountBinding) {
  return Napi::Number::New(info.Env(), static_cast<double>(gruWeightCount(gruConfigArg(info, 0))));
}

// (config, dtype) -> "direct" | "packed" | "packed (forced)": whether cuDNN reads our flat weight
// buffer as is for this network shape (Note [cuDNN weight space vs our flat buffer]). Diagnostics.
GRU_BINDING(gruCudnnWeightRoute) {
  const GruConfig config = gruConfigArg(info, 0);
  const DType dtype = dtypeArg(info, 1, "dtype");
  Addon::of(info.Env()).backend(DeviceKind::Cuda);  // throws BackendUnavailable with the probe's reason
#ifdef GRU_WITH_CUDA
  return Napi::String::New(info.Env(), sharedCudaBackend().gruWeightRoute(config, dtype));
#else
  (void)config, (void)dtype;
  return info.Env().Undefined();
#endif
}

GruActivation activationArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<GruActivation>(intArg(info, index, name, 0, kGruActivationCount - 1));
}

GruGateStep gateStepArg(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<GruGateStep>(intArg(info, index, "step", 0, kGruGateStepCount - 1));
}

// The width (per batch row, in units of hidden) of gh for each pass.
int64_t ghWidth(GruGateStep step) {
  return step == GruGateStep::ResetAfter ? 3 : step == GruGateStep::ResetPass ? 2 : 1;
}

// Every tensor of a gates call: the first one's dtype (a float) and device, and its element count.
void requireGateTensors(std::initializer_list<std::pair<const TensorRef*, std::pair<const char*, int64_t>>> tensors) {
  const TensorRef& first = *tensors.begin()->first;
  requireFloatDType(first.dtype, 2, tensors.begin()->second.first);
  for (const auto& [t, what] : tensors) {
    requireSameKind(first, *t, tensors.begin()->second.first, what.first);
    requireNumel(*t, static_cast<double>(what.second), what.first);
  }
}

void requirePresent(const std::optional<TensorRef>& t, bool wanted, size_t index, const char* name) {
  if (t.has_value() != wanted) throw Error(ErrorKind::Argument, argLabel(index, name) + (wanted ? " is required for this pass" : " must be null for this pass"));
}

// (step, activation, recurrentActivation, out, saved | null, gi, gh, h, gates | null, batch, hidden):
// ops/gru_gate_step.h and GruGatesRequest for the widths of each pass.
GRU_BINDING(gruGates) {
  GruGatesRequest r;
  r.step = gateStepArg(info, 0);
  r.activation = activationArg(info, 1, "activation");
  r.recurrentActivation = activationArg(info, 2, "recurrentActivation");
  r.out = tensorArg(info, 3, "out").ref();
  r.saved = optionalTensorArg(info, 4, "saved");
  r.gi = tensorArg(info, 5, "gi").ref();
  r.gh = tensorArg(info, 6, "gh").ref();
  r.h = tensorArg(info, 7, "h").ref();
  r.gates = optionalTensorArg(info, 8, "gates");
  r.batch = intArg(info, 9, "batch");
  r.hidden = intArg(info, 10, "hidden");
  const int64_t rows = r.batch, H = r.hidden;
  requirePresent(r.saved, r.step != GruGateStep::ResetPass, 4, "saved");
  requirePresent(r.gates, r.step == GruGateStep::UpdatePass, 8, "gates");
  requireGateTensors({{&r.gi, {"gi", rows * 3 * H}}, {&r.gh, {"gh", rows * ghWidth(r.step) * H}}, {&r.h, {"h", rows * H}},
                      {&r.out, {"out", rows * (r.step == GruGateStep::ResetPass ? 3 : 1) * H}}});
  if (r.saved) requireGateTensors({{&r.gi, {"gi", rows * 3 * H}}, {&*r.saved, {"saved", rows * (r.step == GruGateStep::ResetAfter ? 4 : 1) * H}}});
  if (r.gates) requireGateTensors({{&r.gi, {"gi", rows * 3 * H}}, {&*r.gates, {"gates", rows * 3 * H}}});
  if (rows * H == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.gi.device()).gruGates(r);
  return info.Env().Undefined();
}

// (step, activation, recurrentActivation, dgi, dgh, dh, dGates | null, saved, h, dOut, gates | null, batch, hidden)
GRU_BINDING(gruGatesBackward) {
  GruGatesBackwardRequest r;
  r.step = gateStepArg(info, 0);
  r.activation = activationArg(info, 1, "activation");
  r.recurrentActivation = activationArg(info, 2, "recurrentActivation");
  r.dgi = tensorArg(info, 3, "dgi").ref();
  r.dgh = tensorArg(info, 4, "dgh").ref();
  r.dh = tensorArg(info, 5, "dh").ref();
  r.dGates = optionalTensorArg(info, 6, "dGates");
  r.saved = tensorArg(info, 7, "saved").ref();
  r.h = tensorArg(info, 8, "h").ref();
  r.dOut = tensorArg(info, 9, "dOut").ref();
  r.gates = optionalTensorArg(info, 10, "gates");
  r.batch = intArg(info, 11, "batch");
  r.hidden = intArg(info, 12, "hidden");
  const int64_t rows = r.batch, H = r.hidden;
  const bool update = r.step == GruGateStep::UpdatePass;
  requirePresent(r.dGates, update, 6, "dGates");
  requirePresent(r.gates, update, 10, "gates");
  const int64_t savedWidth = r.step == GruGateStep::ResetAfter ? 4 : r.step == GruGateStep::ResetPass ? 3 : 1;
  requireGateTensors({{&r.saved, {"saved", rows * savedWidth * H}}, {&r.h, {"h", rows * H}}, {&r.dOut, {"dOut", rows * (r.step == GruGateStep::ResetPass ? 3 : 1) * H}},
                      {&r.dgi, {"dgi", rows * 3 * H}}, {&r.dgh, {"dgh", rows * ghWidth(r.step) * H}}, {&r.dh, {"dh", rows * H}}});
  if (update) requireGateTensors({{&r.saved, {"saved", rows * H}}, {&*r.gates, {"gates", rows * 3 * H}}, {&*r.dGates, {"dGates", rows * 3 * H}}});
  if (rows * H == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.saved.device()).gruGatesBackward(r);
  return info.Env().Undefined();
}

}  // namespace

void registerGruBindings(Napi::Object exports) {
  GRU_EXPORT(exports, gruForward);
  GRU_EXPORT(exports, gruBackward);
  GRU_EXPORT(exports, gruGates);
  GRU_EXPORT(exports, gruGatesBackward);
  exports.Set("gruWeightCount", Napi::Function::New(exports.Env(), gruWeightCountBinding, "gruWeightCount"));
  GRU_EXPORT(exports, gruCudnnWeightRoute);
}

}  // namespace gru
