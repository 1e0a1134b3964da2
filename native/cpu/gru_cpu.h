// The CPU GRU: forward (training or inference) and backward, float32 and float64.
// Two implementations share this contract: the fast one (gru_forward.cc and gru_backward.cc,
// OpenBLAS: one GEMM for the input projections of all steps, one recurrent GEMM per step,
// fused gates; backward batches
// dX, dW_ih, dW_hh and bias sums over all steps) and the plain-loop reference
// (reference/gru_reference.cc), which tests hold the fast one to. Equations: docs/gru.md.
//
// Semantics (PyTorch nn.GRU, with packed sequences for `lengths`):
//  - h_t = (1 - z) * n + z * h_{t-1}; gates r, z, n; see GruConfig::resetAfter for n.
//  - lengths (nullable: all sequences have seqLen steps), each in [1, seqLen]: for batch row b,
//    the forward direction runs steps 0..len_b-1, the reverse direction runs len_b-1 down to 0,
//    both starting from h0. Outputs at t >= len_b are 0; hN holds each direction's last state.
//  - y is [T, B, D*H] (or [B, T, D*H]) with the forward direction in features [0, H) and the
//    reverse in [H, 2H). hN and h0 are [L*D, B, H], index l*D + d.
//  - Layer l > 0 reads layer l-1's output (after dropout in training).
#pragma once
#include <cstdint>

#include "../ops/gru_layout.h"
#include "../ops/op_codes.h"

namespace gru {

template <typename T>
struct GruForwardArgs {
  const T* x = nullptr;               // input
  const T* h0 = nullptr;              // nullable: zeros
  const T* weights = nullptr;         // flat, gruWeightCount(config) elements
  const int32_t* lengths = nullptr;   // nullable, [B]
  T* y = nullptr;                     // output
  T* hN = nullptr;                    // final states
  T* reserve = nullptr;               // training: saved intermediates for backward; null: inference
  T* workspace = nullptr;             // scratch
  int threads = 1;                    // fast kernel: the count its workspace was sized for
  // Fast float32 inference only: the weights as an inference copy (Note [Inference weight
  // copies]) in place of `weights`.
  const float* inferenceCopy = nullptr;
  InferenceWeights inferenceFormat = InferenceWeights::Float32;
};

template <typename T>
struct GruBackwardArgs {
  const T* x = nullptr;
  const T* h0 = nullptr;              // nullable: zeros
  const T* weights = nullptr;
  const int32_t* lengths = nullptr;
  const T* reserve = nullptr;         // from the training forward with the same config and inputs
  const T* dy = nullptr;              // nullable: zeros. Entries at padded steps are ignored.
  const T* dhN = nullptr;             // nullable: zeros
  T* dx = nullptr;                    // written (overwritten), nullable: not needed
  T* dh0 = nullptr;                   // written (overwritten), nullable: not needed
  T* dweights = nullptr;              // nullable: not needed; else ACCUMULATED into (+=), like cuDNN's WGRAD_MODE_ADD
  T* workspace = nullptr;             // scratch
  int threads = 1;                    // fast kernel: the count its workspace was sized for
};

// Element counts of the buffers a call of a given config needs.
struct GruBufferSizes {
  int64_t reserve = 0;            // training forward -> backward
  int64_t forwardWorkspace = 0;
  int64_t backwardWorkspace = 0;
};

namespace cpu {

// A call that may split over `threads` (Note [GRU thread split]) needs per-thread slots.
GruBufferSizes gruBufferSizes(const GruConfig& config, int threads);
template <typename T> void gruForward(const GruConfig& config, const GruForwardArgs<T>& args);
template <typename T> void gruBackward(const GruConfig& config, const GruBackwardArgs<T>& args);

}  // namespace cpu

namespace reference {

GruBufferSizes gruBufferSizes(const GruConfig& config);
template <typename T> void gruForward(const GruConfig& config, const GruForwardArgs<T>& args);
template <typename T> void gruBackward(const GruConfig& config, const GruBackwardArgs<T>& args);

}  // namespace reference

}  // namespace gru
