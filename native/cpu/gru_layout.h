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

namespace gru {

struct GruConfig {
  int64_t inputSize = 0;
  int64_t hiddenSize = 0;
  int64_t numLayers = 1;
  bool bidirectional = false;
  bool bias = true;
  // true: n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  (PyTorch, cuDNN, Keras reset_after=True)
  // false: n = tanh(W_in x + b_in + W_hn (r * h) + b_hn) (Keras reset_after=False, TF.js)
  bool resetAfter = true;
  int64_t seqLen = 0;
  int64_t batch = 0;
  // x and y are [B, T, F] when true, [T, B, F] when false. h0/hN are always [L*D, B, H].
  bool batchFirst = false;
  // Inverted dropout on the input of layers 1..L-1, training only. The keep mask of element i of
  // layer l's input (i = flat index in the [T, B, D*H] or [B, T, D*H] buffer, the same layout as
  // x) is philox uniform(seed, offset + (l-1)*T*B*D*H + i) >= p, and kept values are scaled by
  // 1/(1-p). dropoutWords() says how many generator words a training forward consumes.
  double dropout = 0.0;
  uint64_t dropoutSeed = 0;
  uint64_t dropoutOffset = 0;
  // float32 on cuda may use TF32 tensor cores (cuDNN's default math) instead of FMA math:
  // faster on Ampere and later, ~1e-3 relative error. The CPU ignores it.
  bool allowTF32 = false;

  int64_t directions() const { return bidirectional ? 2 : 1; }
  int64_t layerInputSize(int64_t layer) const { return layer == 0 ? inputSize : directions() * hiddenSize; }
};

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

// Element offset of a block in the flat buffer.
inline int64_t gruParamOffset(const GruConfig& c, int64_t layer, int64_t direction, GruParam which) {
  int64_t offset = 0;
  for (int64_t l = 0; l < layer; ++l) offset += c.directions() * gruCellParamCount(c, l);
  offset += direction * gruCellParamCount(c, layer);
  for (int p = 0; p < static_cast<int>(which); ++p) offset += gruParamCount(c, layer, static_cast<GruParam>(p));
  return offset;
}

inline int64_t gruWeightCount(const GruConfig& c) {
  int64_t total = 0;
  for (int64_t l = 0; l < c.numLayers; ++l) total += c.directions() * gruCellParamCount(c, l);
  return total;
}

// Generator words a training forward with dropout consumes (0 without dropout).
inline uint64_t gruDropoutWords(const GruConfig& c) {
  if (c.dropout <= 0.0 || c.numLayers < 2) return 0;
  const uint64_t words = static_cast<uint64_t>((c.numLayers - 1) * c.seqLen * c.batch * c.directions() * c.hiddenSize);
  return (words + 3) / 4 * 4;
}

}  // namespace gru
