// Launchers of the gruGates op on CUDA (kernels in gru_gates.cu), over the element functions of
// ops/gru_gate_step.h the CPU loop uses.
#pragma once
#include <cuda_runtime_api.h>

#include "../../ops/gru_requests.h"

namespace gru {
namespace cuda {

template <typename T>
cudaError_t launchGruGates(const GruGatesRequest& r, cudaStream_t stream);
template <typename T>
cudaError_t launchGruGatesBackward(const GruGatesBackwardRequest& r, cudaStream_t stream);

}  // namespace cuda
}  // namespace gru
