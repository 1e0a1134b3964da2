// One GRU call as the GRU bindings hand it to a Backend, after checking every element count,
// dtype and device. Semantics: native/cpu/gru_cpu.h. Absent optionals mean: h0, dy, dhN zeros;
// lengths all seqLen; reserve inference (nothing saved); dx, dh0 not needed.
#pragma once
#include <optional>

#include "core/tensor_ref.h"
#include "cpu/gru_cpu.h"  // GruConfig, GruBufferSizes

namespace gru {

// Which CPU kernel runs the call: the OpenBLAS one or the plain-loop reference tests hold it to.
// Other backends run only Fast.
enum class GruKernel : int { Fast = 0, Reference = 1 };

// What forward and backward both take.
struct GruInputs {
  GruConfig config;
  GruKernel kernel = GruKernel::Fast;
  TensorRef x;
  std::optional<TensorRef> h0;
  TensorRef weights;
  // int32 [batch], always on the cpu. Its values are checked by the backend when it reads them:
  // a queued op may still be writing them when the call is made.
  std::optional<TensorRef> lengths;
};

struct GruForwardRequest : GruInputs {
  TensorRef y;
  TensorRef hN;
  std::optional<TensorRef> reserve;
};

struct GruBackwardRequest : GruInputs {
  std::optional<TensorRef> y;  // the forward's output; cuDNN's backward reads it, the CPU's does not
  TensorRef reserve;           // from the training forward of the same call
  std::optional<TensorRef> dy;
  std::optional<TensorRef> dhN;
  std::optional<TensorRef> dx;   // overwritten
  std::optional<TensorRef> dh0;  // overwritten
  TensorRef dweights;            // ADDED to (gradients accumulate, like cuDNN's WGRAD_MODE_ADD)
};

}  // namespace gru
