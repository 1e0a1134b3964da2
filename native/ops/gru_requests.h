// One GRU call as the GRU bindings hand it to a Backend, after checking every element count,
// dtype, device and length. Semantics: cpu/gru_cpu.h. Absent optionals mean: h0, dy, dhN zeros;
// dx, dh0 not needed; dweights not needed (frozen weights: the weight-gradient work is skipped).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "../core/tensor_ref.h"
#include "gru_config.h"
#include "op_codes.h"

namespace gru {

// What forward and backward both take.
struct GruInputs {
  GruConfig config;
  Kernel kernel = Kernel::Fast;
  TensorRef x;
  std::optional<TensorRef> h0;
  TensorRef weights;
  // Host values, one per batch row in [1, seqLen]; empty when every sequence has seqLen steps.
  std::vector<int32_t> lengths;
};

struct GruForwardRequest : GruInputs {
  TensorRef y;
  TensorRef hN;
  // Training: the backend allocates the reserve backward needs and returns it from gruForward.
  bool training = false;
};

struct GruBackwardRequest : GruInputs {
  std::optional<TensorRef> y;  // the forward's output, for backends whose backward reads it
  TensorRef reserve;           // what the training forward of the same call returned
  std::optional<TensorRef> dy;
  std::optional<TensorRef> dhN;
  std::optional<TensorRef> dx;        // overwritten
  std::optional<TensorRef> dh0;       // overwritten
  std::optional<TensorRef> dweights;  // ADDED to (gradients accumulate, like cuDNN's WGRAD_MODE_ADD)
};

// A pass of a GRU step's gates (GRU_GATE_STEPS, ops/gru_gate_step.h), its tensors' widths (times batch):
//   ResetAfter: gi 3H, gh 3H, h H -> out (h') H, saved 4H.
//   ResetPass:  gi 3H, gh (ghRZ) 2H, h H -> out (gates r, z, r h) 3H.
//   UpdatePass: gi 3H, gh (ghN) H, gates 3H, h H -> out (h') H, saved (n) H.

struct GruGatesRequest {
  GruGateStep step = GruGateStep::ResetAfter;
  GruActivation activation = GruActivation::Tanh;
  GruActivation recurrentActivation = GruActivation::Sigmoid;
  int64_t batch = 0, hidden = 0;
  TensorRef gi, gh, h, out;
  std::optional<TensorRef> gates;  // UpdatePass
  std::optional<TensorRef> saved;  // ResetAfter, UpdatePass
};

// The backward, overwriting dgi (3H), dgh (gh's width) and dh (H), and dGates (3H, UpdatePass),
// from dOut (out's width). `saved` is the forward's saved tensor, or for ResetPass its output.
struct GruGatesBackwardRequest {
  GruGateStep step = GruGateStep::ResetAfter;
  GruActivation activation = GruActivation::Tanh;
  GruActivation recurrentActivation = GruActivation::Sigmoid;
  int64_t batch = 0, hidden = 0;
  TensorRef saved, h, dOut, dgi, dgh, dh;
  std::optional<TensorRef> gates, dGates;  // UpdatePass
};

}  // namespace gru
