// One reset-after GRU step's gates, one thread per (row, unit) in a grid-stride loop: the fused
// gate kernel the step-by-step GRU runs between its cuBLAS GEMMs (lib/ops/gru-loop.ts).
#include "../../ops/gru_gate_step.h"
#include "gru_gates.h"
#include "launch.h"

namespace gru {
namespace cuda {
namespace {

template <typename T>
__global__ void gruGatesKernel(GruActivation candidate, GruActivation gate, int64_t batch, int64_t hidden, const T* gi, const T* gh,
                               const T* h, T* hNew, T* saved) {
  const int64_t n = batch * hidden;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    gruGateStepForward(candidate, gate, hidden, i / hidden, i % hidden, gi, gh, h, hNew, saved);
  }
}

template <typename T>
__global__ void gruGatesBackwardKernel(GruActivation candidate, GruActivation gate, int64_t batch, int64_t hidden, const T* saved,
                                       const T* h, const T* dhNew, T* dgi, T* dgh, T* dh) {
  const int64_t n = batch * hidden;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    gruGateStepBackward(candidate, gate, hidden, i / hidden, i % hidden, saved, h, dhNew, dgi, dgh, dh);
  }
}

}  // namespace

template <typename T>
cudaError_t launchGruGates(const GruGatesRequest& r, cudaStream_t stream) {
  gruGatesKernel<<<blocksFor(r.batch * r.hidden), kThreadsPerBlock, 0, stream>>>(r.activation, r.recurrentActivation, r.batch, r.hidden,
      r.gi.data<T>(), r.gh.data<T>(), r.h.data<T>(), r.hNew.data<T>(), r.saved.data<T>());
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchGruGatesBackward(const GruGatesBackwardRequest& r, cudaStream_t stream) {
  gruGatesBackwardKernel<<<blocksFor(r.batch * r.hidden), kThreadsPerBlock, 0, stream>>>(r.activation, r.recurrentActivation, r.batch,
      r.hidden, r.saved.data<T>(), r.h.data<T>(), r.dhNew.data<T>(), r.dgi.data<T>(), r.dgh.data<T>(), r.dh.data<T>());
  return cudaGetLastError();
}

template cudaError_t launchGruGates<float>(const GruGatesRequest&, cudaStream_t);
template cudaError_t launchGruGates<double>(const GruGatesRequest&, cudaStream_t);
template cudaError_t launchGruGatesBackward<float>(const GruGatesBackwardRequest&, cudaStream_t);
template cudaError_t launchGruGatesBackward<double>(const GruGatesBackwardRequest&, cudaStream_t);

}  // namespace cuda
}  // namespace gru
