// Note [Inference weight copies]
// A streaming step (batch 1) is bound by reading the weights: 6 H (I + H) floats a layer, which
// OpenBLAS's GEMV reads at about 60% of the cache bandwidth, and the per-call packing of Note
// [Packed recurrent weights] would cost more than the step itself. An inference copy packs every
// W_ih and W_hh once, in the panel layout of packed_gemm.h, in float32 or in bfloat16 (half the
// bytes; each weight rounded to nearest, the arithmetic still float32), and the forward then runs
// every product, input and recurrent, through the panel kernels. The copy is one float32 buffer:
//   biases, float32: per layer and direction, b_ih [3H] then b_hh [3H] (absent without bias);
//   panels, from the next 64-byte boundary, of the copy's element type: per layer and direction,
//   W_ih^T [in x 3H], then W_hh^T's first rows (all 3H, or [0, 2H) reset-before), then the
//   candidate rows [2H, 3H) (reset-before only).
// The copy is a snapshot: it does not follow later changes of the weights.
#pragma once
#include <cstdint>

#include "../ops/gru_layout.h"
#include "gru_cpu.h"
#include "packed_gemm.h"

namespace gru {
namespace cpu {

class InferenceLayout {
 public:
  InferenceLayout(const GruConfig& c, InferenceWeights format);

  // Float offset of the biases of (l, d), -1 without bias.
  int64_t biases(int64_t l, int64_t d) const { return config_.bias ? (l * D_ + d) * 6 * H_ : -1; }
  // Element offsets (of the copy's element type) from the start of the panels.
  int64_t inputPanels(int64_t l, int64_t d) const { return cellStart(l, d); }
  int64_t firstRecurrentPanels(int64_t l, int64_t d) const { return cellStart(l, d) + packedSize(3 * H_, config_.layerInputSize(l)); }
  int64_t candidatePanels(int64_t l, int64_t d) const { return firstRecurrentPanels(l, d) + packedSize(firstRows(), H_); }
  int64_t firstRows() const { return config_.resetAfter ? 3 * H_ : 2 * H_; }
  // Float offset where the panels start, and the floats of the whole copy.
  int64_t panelStart() const { return panelStart_; }
  int64_t totalFloats() const { return totalFloats_; }

 private:
  int64_t cellElements(int64_t l) const;
  int64_t cellStart(int64_t l, int64_t d) const;

  const GruConfig& config_;
  const int64_t H_, D_;
  int64_t panelStart_ = 0, totalFloats_ = 0;
};

// Writes the copy of the flat float32 weights `weights` (gruWeightCount(config)) into `out`.
void packInferenceWeights(const GruConfig& config, InferenceWeights format, const float* weights, float* out);

}  // namespace cpu
}  // namespace gru
