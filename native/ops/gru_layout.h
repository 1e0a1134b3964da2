// Note [GRU weight layout]
// One GRU's parameters live in one flat buffer in PyTorch's order. For layer l = 0..L-1 and
// direction d = 0 (forward), 1 (reverse, only when bidirectional), in that nesting order:
//   W_ih [3H x in_l]   in_0 = inputSize, in_l = D*H for l > 0
//   W_hh [3H x H]
//   b_ih [3H]          only when bias
//   b_hh [3H]          only when bias
// Row blocks of each are the gates r, z, n (PyTorch and cuDNN order). PyTorch names them
// weight_ih_l{l}[_reverse], weight_hh_l{l}[_reverse], bias_ih_l{l}[_reverse], bias_hh_l{l}[_reverse].
#pragma once
#include <cstdint>

#include "gru_config.h"

namespace gru {

enum class GruParam : int { WeightIH = 0, WeightHH = 1, BiasIH = 2, BiasHH = 3 };

// Elements of one parameter block.
inline int64_t gruParamCount(const GruConfig& c, int64_t layer, GruParam which) {
  const int64_t h3 = 3 * c.hiddenSize;
  switch (which) {
    case GruParam::WeightIH: return h3 * c.layerInputSize(layer);
    case GruParam::WeightHH: return h3 * c.hiddenSize;
    case GruParam::BiasIH:
    case GruParam::BiasHH: return c.bias ? h3 : 0;
  }
  return 0;
}

// Elements of all blocks of one (layer, direction).
inline int64_t gruCellParamCount(const GruConfig& c, int64_t layer) {
  return gruParamCount(c, layer, GruParam::WeightIH) + gruParamCount(c, layer, GruParam::WeightHH) +
         gruParamCount(c, layer, GruParam::BiasIH) + gruParamCount(c, layer, GruParam::BiasHH);
}

// Element offset of the first block of `layer` (O(1): every layer after the first has the same
// size, so a GRU of millions of layers costs nothing to index).
inline int64_t gruLayerOffset(const GruConfig& c, int64_t layer) {
  if (layer == 0) return 0;
  return c.directions() * (gruCellParamCount(c, 0) + (layer - 1) * gruCellParamCount(c, 1));
}

// Element offset of a block in the flat buffer.
inline int64_t gruParamOffset(const GruConfig& c, int64_t layer, int64_t direction, GruParam which) {
  int64_t offset = gruLayerOffset(c, layer) + direction * gruCellParamCount(c, layer);
  for (int p = 0; p < static_cast<int>(which); ++p) offset += gruParamCount(c, layer, static_cast<GruParam>(p));
  return offset;
}

inline int64_t gruWeightCount(const GruConfig& c) { return gruLayerOffset(c, c.numLayers); }

// Generator words a training forward with dropout consumes (0 without dropout).
inline uint64_t gruDropoutWords(const GruConfig& c) {
  if (!c.dropoutActive()) return 0;
  const uint64_t words = static_cast<uint64_t>((c.numLayers - 1) * c.seqLen * c.batch * c.directions() * c.hiddenSize);
  return (words + 3) / 4 * 4;
}

}  // namespace gru
