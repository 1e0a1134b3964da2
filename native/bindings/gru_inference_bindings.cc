// Inference weight copies as addon functions (Note [Inference weight copies]), CPU float32 only:
// gruInferenceCopy packs a GRU's flat weights once; gruForwardInference runs a forward from the
// copy. lib/nn/gru-inference.ts checks arguments with the user's names first.
#include "../addon.h"
#include "../cpu/cpu_backend.h"
#include "../cpu/gru_inference_weights.h"
#include "args.h"
#include "gru_args.h"
#include "gru_config_arg.h"
#include "js_errors.h"

namespace gru {
namespace {

InferenceWeights formatArg(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<InferenceWeights>(intArg(info, index, "format", 0, kInferenceWeightsCount - 1));
}

// (config, weights, format) => [copy, its float count]
GRU_BINDING(gruInferenceCopy) {
  Napi::Env env = info.Env();
  const GruConfig config = gruConfigArg(info, 0);
  const TensorRef weights = tensorArg(info, 1, "weights").ref();
  const InferenceWeights format = formatArg(info, 2);
  requireTensor(weights, 1, "weights", DType::Float32, gruWeightCount(config), GruShapes::kWeights, DeviceKind::Cpu);
  TensorRef copy = Addon::of(env).cpu().gruInferenceCopy(config, weights, format);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(1u, Napi::Number::New(env, static_cast<double>(copy.numel)));
  result.Set(0u, TensorHandle::create(env, std::move(copy), true));
  return result;
}

// (config, x, h0 | null, copy, lengths | null, format) => [y, hN]
GRU_BINDING(gruForwardInference) {
  Napi::Env env = info.Env();
  GruForwardRequest r;
  r.config = gruConfigArg(info, 0);
  r.x = tensorArg(info, 1, "x").ref();
  r.h0 = optionalTensorArg(info, 2, "h0");
  r.weights = tensorArg(info, 3, "copy").ref();
  r.lengths = lengthsArg(info, 4, r.config);
  const InferenceWeights format = formatArg(info, 5);
  const GruShapes shapes(r.config);
  const int64_t copyFloats = cpu::InferenceLayout(r.config, format).totalFloats();
  requireTensor(r.x, 1, "x", DType::Float32, shapes.x, GruShapes::kX, DeviceKind::Cpu);
  requireOptional(r.h0, 2, "h0", DType::Float32, shapes.state, GruShapes::kState, DeviceKind::Cpu);
  requireTensor(r.weights, 3, "copy", DType::Float32, copyFloats, "an inference copy of this config", DeviceKind::Cpu);
  CpuBackend& cpu = Addon::of(env).cpu();
  r.y = allocateLike(cpu, r.x, shapes.y);
  r.hN = allocateLike(cpu, r.x, shapes.state);
  cpu.gruForwardInference(r, format);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, TensorHandle::create(env, std::move(r.y), true));
  result.Set(1u, TensorHandle::create(env, std::move(r.hN), true));
  return result;
}

}  // namespace

void registerGruInferenceBindings(Napi::Object exports) {
  GRU_EXPORT(exports, gruInferenceCopy);
  GRU_EXPORT(exports, gruForwardInference);
}

}  // namespace gru
