// Launchers of the training ops on CUDA (kernels in training.cu), over the functors shared with
// the CPU (ops/loss_functors.h, ops/optimizer_rules.h).
#pragma once
#include <cuda_runtime_api.h>

#include "../../ops/training_requests.h"

namespace gru {
namespace cuda {

template <typename T>
// binaryCrossEntropy values outside [0, 1]: the first flat position is written to *firstBad
// (atomicMin; the caller sets it high first).
cudaError_t launchElementLoss(const ElementLossRequest& r, long long* firstBad, cudaStream_t stream);
template <typename T>
cudaError_t launchElementLossBackward(const ElementLossBackwardRequest& r, cudaStream_t stream);
// Class targets out of range are skipped (their rows get NaN) and the first bad row is written to
// *firstBad (atomicMin; the caller sets it to INT64_MAX first).
template <typename T>
cudaError_t launchClassLoss(const ClassLossRequest& r, long long* firstBad, cudaStream_t stream);
template <typename T>
cudaError_t launchClassLossBackward(const ClassLossBackwardRequest& r, cudaStream_t stream);
// One kernel per entry.
template <typename T>
cudaError_t launchOptimizerStep(const OptimizerRequest& r, cudaStream_t stream);

}  // namespace cuda
}  // namespace gru
