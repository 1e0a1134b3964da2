// A GRU step's gates, one thread per (row, unit) in a grid-stride loop: the fused gate kernels
// the step-by-step GRU runs between its cuBLAS GEMMs (lib/ops/gru-loop.ts), one per pass
// (ops/gru_gate_step.h).
#include "../../ops/gru_gate_step.h"
#include "gru_gates.h"
#include "launch.h"

namespace gru {
namespace cuda {
namespace {

template <typename T>
__global__ void gruGatesKernel(GruGateStep step, GruActivation candidate, GruActivation gate, int64_t batch, int64_t hidden, const T* gi,
                               const T* gh, const T* h, const T* gates, T* out, T* saved) {
  const int64_t n = batch * hidden;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    const int64_t b = i / hidden, j = i % hidden;
    switch (step) {
      case GruGateStep::ResetAfter: gruGateStepForward(candidate, gate, hidden, b, j, gi, gh, h, out, saved); break;
      case GruGateStep::ResetPass: gruResetPassForward(gate, hidden, b, j, gi, gh, h, out); break;
      case GruGateStep::UpdatePass: gruUpdatePassForward(candidate, hidden, b, j, gi, gh, gates, h, out, saved); break;
    }
  }
}

template <typename T>
__global__ void gruGatesBackwardKernel(GruGateStep step, GruActivation candidate, GruActivation gate, int64_t batch, int64_t hidden,
                                       const T* saved, const T* h, const T* dOut, const T* gates, T* dgi, T* dgh, T* dh, T* dGates) {
  const int64_t n = batch * hidden;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    const int64_t b = i / hidden, j = i % hidden;
    switch (step) {
      case GruGateStep::ResetAfter: gruGateStepBackward(candidate, gate, hidden, b, j, saved, h, dOut, dgi, dgh, dh); break;
      case GruGateStep::ResetPass: gruResetPassBackward(gate, hidden, b, j, saved, h, dOut, dgi, dgh, dh); break;
      case GruGateStep::UpdatePass: gruUpdatePassBackward(candidate, hidden, b, j, gates, h, saved, dOut, dgi, dgh, dGates, dh); break;
    }
  }
}

template <typename T>
T* dataOrNull(const std::optional<TensorRef>& t) {
  return t ? t->data<T>() : nullptr;
}

}  // namespace

template <typename T>
cudaError_t launchGruGates(const GruGatesRequest& r, cudaStream_t stream) {
  gruGatesKernel<<<blocksFor(r.batch * r.hidden), kThreadsPerBlock, 0, stream>>>(r.step, r.activation, r.recurrentActivation, r.batch, r.hidden,
      r.gi.data<T>(), r.gh.data<T>(), r.h.data<T>(), dataOrNull<T>(r.gates), r.out.data<T>(), dataOrNull<T>(r.saved));
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchGruGatesBackward(const GruGatesBackwardRequest& r, cudaStream_t stream) {
  gruGatesBackwardKernel<<<blocksFor(r.batch * r.hidden), kThreadsPerBlock, 0, stream>>>(r.step, r.activation, r.recurrentActivation, r.batch,
      r.hidden, r.saved.data<T>(), r.h.data<T>(), r.dOut.data<T>(), dataOrNull<T>(r.gates), r.dgi.data<T>(), r.dgh.data<T>(), r.dh.data<T>(),
      dataOrNull<T>(r.dGates));
  return cudaGetLastError();
}

template cudaError_t launchGruGates<float>(const GruGatesRequest&, cudaStream_t);
template cudaError_t launchGruGates<double>(const GruGatesRequest&, cudaStream_t);
template cudaError_t launchGruGatesBackward<float>(const GruGatesBackwardRequest&, cudaStream_t);
template cudaError_t launchGruGatesBackward<double>(const GruGatesBackwardRequest&, cudaStream_t);

}  // namespace cuda
}  // namespace gru
