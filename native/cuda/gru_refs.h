// The tensors of one GRU call as the GRU bindings hand them to CudaBackend. (They belong in
// native/backend.h once Backend itself declares the GRU; see the closing note of issue #4.)
#pragma once
#include <optional>
#include <vector>

#include "../core/tensor_ref.h"
#include "../cpu/gru_layout.h"  // GruConfig, which every user of these refs also needs

namespace gru {

// Tensors of one GRU forward. lengths holds host values (empty: every sequence is full length);
// JS validated them, and backends that need them on the device copy them there.
struct GruForwardRefs {
  TensorRef x;
  std::optional<TensorRef> h0;
  TensorRef weights;
  std::vector<int32_t> lengths;
  TensorRef y;
  TensorRef hN;
  std::optional<TensorRef> reserve;  // absent: inference, nothing saved
};

// Tensors of one GRU backward: the forward's inputs, its output y and reserve, the incoming
// gradients (absent: zeros) and the outputs (dx/dh0 absent: not needed; dweights is ADDED to).
struct GruBackwardRefs {
  TensorRef x;
  std::optional<TensorRef> h0;
  TensorRef weights;
  std::vector<int32_t> lengths;
  TensorRef y;
  TensorRef reserve;
  std::optional<TensorRef> dy;
  std::optional<TensorRef> dhN;
  std::optional<TensorRef> dx;
  std::optional<TensorRef> dh0;
  TensorRef dweights;
};

}  // namespace gru
