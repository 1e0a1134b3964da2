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

// One reset-after step's gates (ops/gru_gate_step.h): gi, gh [batch, 3 hidden], h [batch, hidden]
// in; hNew [batch, hidden] and saved [batch, 4 hidden] out.
struct GruGatesRequest {
  GruActivation activation = GruActivation::Tanh;
  GruActivation recurrentActivation = GruActivation::Sigmoid;
  int64_t batch = 0, hidden = 0;
  TensorRef gi, gh, h, hNew, saved;
};

// Its backward: dgi, dgh [batch, 3 hidden] and dh [batch, hidden] (overwritten) from dhNew.
struct GruGatesBackwardRequest {
  GruActivation activation = GruActivation::Tanh;
  GruActivation recurrentActivation = GruActivation::Sigmoid;
  int64_t batch = 0, hidden = 0;
  TensorRef saved, h, dhNew, dgi, dgh, dh;
};

}  // namespace gru
