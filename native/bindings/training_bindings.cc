// Bindings of the training ops: fused losses and optimizer updates. Each checks element counts,
// dtypes and devices; lib/losses and lib/optim validate first with the user's argument names.
#include <string>

#include "../addon.h"
#include "args.h"
#include "js_errors.h"

namespace gru {
namespace {

// Arguments from `index`: kind, input, target, weight | null, posWeight | null, lastDim, beta.
ElementLossRequest elementLossArgs(const Napi::CallbackInfo& info, size_t index) {
  ElementLossRequest r;
  r.kind = static_cast<ElementLoss>(intArg(info, index, "kind", 0, kElementLossCount - 1));
  r.input = tensorArg(info, index + 1, "input").ref();
  r.target = tensorArg(info, index + 2, "target").ref();
  r.weight = optionalTensorArg(info, index + 3, "weight");
  r.posWeight = optionalTensorArg(info, index + 4, "posWeight");
  r.lastDim = intArg(info, index + 5, "lastDim", 1);
  r.beta = numberArg(info, index + 6, "beta");
  requireFloatDType(r.input.dtype, index + 1, "input");
  requireSameKind(r.input, r.target, "input", "target");
  requireNumel(r.target, static_cast<double>(r.input.numel), "target");
  if (r.weight) {
    requireSameKind(r.input, *r.weight, "input", "weight");
    requireNumel(*r.weight, static_cast<double>(r.input.numel), "weight");
  }
  if (r.posWeight) {
    requireSameKind(r.input, *r.posWeight, "input", "posWeight");
    requireNumel(*r.posWeight, static_cast<double>(r.lastDim), "posWeight");
    if (r.input.numel % r.lastDim != 0) throw Error(ErrorKind::Shape, "lastDim must divide input's element count");
  }
  return r;
}

// (out, kind, input, target, weight, posWeight, lastDim, beta)
GRU_BINDING(elementLoss) {
  const TensorRef& out = tensorArg(info, 0, "out").ref();
  ElementLossRequest r = elementLossArgs(info, 1);
  r.out = out;
  requireSameKind(r.input, r.out, "input", "out");
  requireNumel(r.out, static_cast<double>(r.input.numel), "out");
  if (r.input.numel == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.input.device()).elementLoss(r);
  return info.Env().Undefined();
}

// (gradIn, gradOut, scale, kind, input, target, weight, posWeight, lastDim, beta)
GRU_BINDING(elementLossBackward) {
  ElementLossBackwardRequest r;
  r.gradIn = tensorArg(info, 0, "gradIn").ref();
  r.gradOut = tensorArg(info, 1, "gradOut").ref();
  r.scale = numberArg(info, 2, "scale");
  r.forward = elementLossArgs(info, 3);
  requireSameKind(r.forward.input, r.gradIn, "input", "gradIn");
  requireSameKind(r.forward.input, r.gradOut, "input", "gradOut");
  requireNumel(r.gradIn, static_cast<double>(r.forward.input.numel), "gradIn");
  if (r.gradOut.numel != 1) requireNumel(r.gradOut, static_cast<double>(r.forward.input.numel), "gradOut");
  if (r.gradIn.numel == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.gradIn.device()).elementLossBackward(r);
  return info.Env().Undefined();
}

// From `index`: kind, probabilityTarget, logSumExp | null, input, target, weight | null, rows,
// classes, ignoreIndex, labelSmoothing (Note [Class losses]).
ClassLossRequest classLossArgs(const Napi::CallbackInfo& info, size_t index) {
  ClassLossRequest r;
  r.kind = static_cast<ClassLoss>(intArg(info, index, "kind", 0, kClassLossCount - 1));
  r.probabilityTarget = boolArg(info, index + 1, "probabilityTarget");
  r.logSumExp = optionalTensorArg(info, index + 2, "logSumExp");
  r.input = tensorArg(info, index + 3, "input").ref();
  r.target = tensorArg(info, index + 4, "target").ref();
  r.weight = optionalTensorArg(info, index + 5, "weight");
  r.rows = intArg(info, index + 6, "rows");
  r.classes = intArg(info, index + 7, "classes", 1);
  r.ignoreIndex = intArg(info, index + 8, "ignoreIndex", -9007199254740991LL);
  r.labelSmoothing = numberArg(info, index + 9, "labelSmoothing");
  requireFloatDType(r.input.dtype, index + 3, "input");
  const double cells = static_cast<double>(r.rows) * static_cast<double>(r.classes);
  requireNumel(r.input, cells, "input");
  if (r.probabilityTarget) {
    if (r.kind != ClassLoss::CrossEntropy) throw Error(ErrorKind::Argument, "probability targets need crossEntropy");
    requireSameKind(r.input, r.target, "input", "target");
    requireNumel(r.target, cells, "target");
  } else {
    if (r.target.dtype != DType::Int32) throw Error(ErrorKind::DType, std::string("class targets must be int32, got ") + dtypeName(r.target.dtype));
    if (r.target.device() != r.input.device()) throw Error(ErrorKind::Device, "target must be on input's device");
    requireNumel(r.target, static_cast<double>(r.rows), "target");
  }
  if (r.weight) {
    requireSameKind(r.input, *r.weight, "input", "weight");
    requireNumel(*r.weight, static_cast<double>(r.classes), "weight");
  }
  if (!(r.labelSmoothing >= 0 && r.labelSmoothing <= 1)) throw Error(ErrorKind::Argument, "labelSmoothing must be in [0, 1]");
  if (r.kind == ClassLoss::CrossEntropy) {
    if (!r.logSumExp) throw Error(ErrorKind::Argument, "crossEntropy needs a logSumExp tensor");
    requireSameKind(r.input, *r.logSumExp, "input", "logSumExp");
    requireNumel(*r.logSumExp, static_cast<double>(r.rows), "logSumExp");
  }
  return r;
}

// (loss, rowWeight, kind, probabilityTarget, logSumExp, input, target, weight, rows, classes,
//  ignoreIndex, labelSmoothing)
GRU_BINDING(classLoss) {
  const TensorRef& loss = tensorArg(info, 0, "loss").ref();
  const TensorRef& rowWeight = tensorArg(info, 1, "rowWeight").ref();
  ClassLossRequest r = classLossArgs(info, 2);
  r.loss = loss;
  r.rowWeight = rowWeight;
  requireSameKind(r.input, r.loss, "input", "loss");
  requireSameKind(r.input, r.rowWeight, "input", "rowWeight");
  requireNumel(r.loss, static_cast<double>(r.rows), "loss");
  requireNumel(r.rowWeight, static_cast<double>(r.rows), "rowWeight");
  if (r.rows == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.input.device()).classLoss(r);
  return info.Env().Undefined();
}

// (gradIn, gradOut, kind, probabilityTarget, logSumExp, input, target, weight, rows, classes,
//  ignoreIndex, labelSmoothing)
GRU_BINDING(classLossBackward) {
  ClassLossBackwardRequest r;
  r.gradIn = tensorArg(info, 0, "gradIn").ref();
  r.gradOut = tensorArg(info, 1, "gradOut").ref();
  r.forward = classLossArgs(info, 2);
  requireSameKind(r.forward.input, r.gradIn, "input", "gradIn");
  requireSameKind(r.forward.input, r.gradOut, "input", "gradOut");
  requireNumel(r.gradIn, static_cast<double>(r.forward.input.numel), "gradIn");
  if (r.gradOut.numel != 1) requireNumel(r.gradOut, static_cast<double>(r.forward.rows), "gradOut");
  if (r.forward.rows == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.gradIn.device()).classLossBackward(r);
  return info.Env().Undefined();
}

// (kind, hyper Float64Array[14], params[], grads[], states[] (3 per parameter, null where
// unused), steps Float64Array, firstSteps Float64Array): Note [Optimizer updates].
GRU_BINDING(optimizerStep) {
  Napi::Env env = info.Env();
  OptimizerRequest r;
  r.kind = static_cast<OptimizerKind>(intArg(info, 0, "kind", 0, kOptimizerCount - 1));
  const std::vector<double> h = float64ArrayArg(info, 1, "hyper");
  if (h.size() != 14) throw Error(ErrorKind::Argument, argLabel(1, "hyper") + " must hold 14 values");
  r.hyper = OptimizerHyper{h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7] != 0, h[8] != 0, h[9] != 0, h[10] != 0, h[11] != 0, h[12] != 0, h[13]};
  for (size_t i = 2; i <= 4; ++i) {
    if (i >= info.Length() || !info[i].IsArray()) throw Error(ErrorKind::Argument, argLabel(i, "params, grads and states") + " must be arrays");
  }
  const Napi::Array params = info[2].As<Napi::Array>(), grads = info[3].As<Napi::Array>(), states = info[4].As<Napi::Array>();
  const std::vector<double> steps = float64ArrayArg(info, 5, "steps"), firstSteps = float64ArrayArg(info, 6, "firstSteps");
  const uint32_t count = params.Length();
  if (count == 0 || grads.Length() != count || states.Length() != 3 * count || steps.size() != count || firstSteps.size() != count) {
    throw Error(ErrorKind::Argument, "optimizerStep needs one grad, three states, a step and a flag per parameter");
  }
  for (uint32_t i = 0; i < count; ++i) {
    const std::string at = "[" + std::to_string(i) + "]";
    OptimizerEntry e;
    e.param = tensorValue(env, params.Get(i), "params" + at).ref();
    e.grad = tensorValue(env, grads.Get(i), "grads" + at).ref();
    requireFloatDType(e.param.dtype, 2, "params");
    if (i > 0) requireSameKind(r.entries.front().param, e.param, "params[0]", "params" + at);
    requireSameKind(e.param, e.grad, "params" + at, "grads" + at);
    requireNumel(e.grad, static_cast<double>(e.param.numel), "grads" + at);
    for (uint32_t s = 0; s < 3; ++s) {
      const Napi::Value v = states.Get(3 * i + s);
      if (v.IsNull() || v.IsUndefined()) continue;
      e.state[s] = tensorValue(env, v, "states" + at).ref();
      requireSameKind(e.param, *e.state[s], "params" + at, "states" + at);
      requireNumel(*e.state[s], static_cast<double>(e.param.numel), "states" + at);
    }
    e.step = steps[i];
    if (!(e.step >= 1)) throw Error(ErrorKind::Argument, "steps" + at + " must be >= 1");
    e.firstStep = firstSteps[i] != 0;
    r.entries.push_back(std::move(e));
  }
  // The rules write through the state they need; refuse a missing one instead of crashing.
  for (const OptimizerEntry& e : r.entries) {
    const bool needs0 = r.kind != OptimizerKind::Sgd || r.hyper.momentum != 0;
    const bool needs1 = r.kind == OptimizerKind::Adam || (r.kind == OptimizerKind::Rmsprop && r.hyper.momentum != 0);
    const bool needs2 = (r.kind == OptimizerKind::Adam && r.hyper.amsgrad) || (r.kind == OptimizerKind::Rmsprop && r.hyper.centered);
    if ((needs0 && !e.state[0]) || (needs1 && !e.state[1]) || (needs2 && !e.state[2])) {
      throw Error(ErrorKind::Argument, "optimizerStep is missing a state tensor the update rule needs");
    }
  }
  Addon::of(env).backend(r.entries.front().param.device()).optimizerStep(r);
  return env.Undefined();
}

}  // namespace

void registerTrainingBindings(Napi::Object exports) {
  GRU_EXPORT(exports, elementLoss);
  GRU_EXPORT(exports, elementLossBackward);
  GRU_EXPORT(exports, classLoss);
  GRU_EXPORT(exports, classLossBackward);
  GRU_EXPORT(exports, optimizerStep);
}

}  // namespace gru
