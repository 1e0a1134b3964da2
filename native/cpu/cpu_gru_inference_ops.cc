// CpuBackend's inference weight copies (Note [Inference weight copies]): making one, and the fast
// float32 forward that reads it, both queued on the CPU stream.
#include "../core/errors.h"
#include "cpu_backend.h"
#include "gru_cpu.h"
#include "gru_inference_weights.h"
#include "gru_plan.h"

namespace gru {

TensorRef CpuBackend::gruInferenceCopy(const GruConfig& config, const TensorRef& weights, InferenceWeights format) {
  raisePendingError();
  const int64_t floats = cpu::InferenceLayout(config, format).totalFloats();
  TensorRef copy{makeStorage(hostAllocator(), static_cast<size_t>(floats) * sizeof(float)), 0, floats, DType::Float32};
  stream_.enqueue([config, weights, copy, format] { cpu::packInferenceWeights(config, format, weights.data<float>(), copy.data<float>()); });
  return copy;
}

void CpuBackend::gruForwardInference(const GruForwardRequest& r, InferenceWeights format) {
  raisePendingError();
  // The forward workspace up to the region the per-call packing would use: a copy is packed already.
  const int64_t workspaceFloats = cpu::GruPlan(r.config).fwPackedWeights();
  StoragePtr workspace = makeStorage(hostAllocator(), static_cast<size_t>(workspaceFloats) * sizeof(float));
  stream_.enqueue([r, workspace = std::move(workspace), format] {
    GruForwardArgs<float> a;
    a.x = r.x.data<float>();
    a.h0 = r.h0 ? r.h0->data<float>() : nullptr;
    a.lengths = r.lengths.empty() ? nullptr : r.lengths.data();
    a.y = r.y.data<float>();
    a.hN = r.hN.data<float>();
    a.workspace = static_cast<float*>(workspace->data());
    a.inferenceCopy = r.weights.data<float>();
    a.inferenceFormat = format;
    cpu::gruForward(r.config, a);
  }, isSmallGruProblem(r.config));
}

}  // namespace gru
