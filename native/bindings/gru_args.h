// The checks every GRU call's tensors get (gruForward, gruBackward, the inference-copy calls):
// device, dtype and element count against the config, and the lengths argument.
#pragma once
#include <napi.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "../backend.h"
#include "../core/tensor_ref.h"
#include "../ops/gru_layout.h"

namespace gru {

// Checks one tensor: on `device`, of `dtype`, with exactly `numel` elements.
void requireTensor(const TensorRef& t, size_t index, const char* name, DType dtype, int64_t numel, const char* shape,
                   DeviceKind device);
void requireOptional(const std::optional<TensorRef>& t, size_t index, const char* name, DType dtype, int64_t numel,
                     const char* shape, DeviceKind device);

// Element counts every tensor of a GRU call must have, and their names for messages.
struct GruShapes {
  explicit GruShapes(const GruConfig& c)
      : x(c.seqLen * c.batch * c.inputSize),
        y(c.seqLen * c.batch * c.directions() * c.hiddenSize),
        state(c.numLayers * c.directions() * c.batch * c.hiddenSize),
        weights(gruWeightCount(c)) {}
  int64_t x, y, state, weights;
  static constexpr const char* kX = "seqLen * batch * inputSize";
  static constexpr const char* kY = "seqLen * batch * directions * hiddenSize";
  static constexpr const char* kState = "numLayers * directions * batch * hiddenSize";
  static constexpr const char* kWeights = "the flat GRU parameter count";
};

// A new tensor of `numel` elements of like's dtype on `backend`: the outputs of a GRU call.
TensorRef allocateLike(Backend& backend, const TensorRef& like, int64_t numel);

// An Int32Array of one length per batch row, each in [1, seqLen], or null (empty: all seqLen).
std::vector<int32_t> lengthsArg(const Napi::CallbackInfo& info, size_t index, const GruConfig& c);

}  // namespace gru
