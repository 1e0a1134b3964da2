// GruForwardRefs / GruBackwardRefs come from native/backend.h once /tmp/backend-gru.patch is
// applied there (CMakeLists.txt then defines GRU_BACKEND_HAS_GRU and CudaBackend's GRU methods
// become overrides). Until then the same structs are declared here, word for word, so the CUDA
// backend builds either way. Delete the #else branch once the patch has landed.
#pragma once
#include "../backend.h"
#include "../cpu/gru_layout.h"

#if GRU_BACKEND_HAS_GRU
#define GRU_CUDA_GRU_OVERRIDE override
#else
#define GRU_CUDA_GRU_OVERRIDE
#include <optional>
#include <vector>

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
#endif
