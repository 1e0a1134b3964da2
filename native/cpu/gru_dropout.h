// Inter-layer dropout of the fast CPU GRU (mask rule: Note [GRU config fields] in ops/gru_config.h).
// The mask is a pure function of (seed, offset, index), so backward regenerates it instead of
// storing it, and forward and backward apply the very same multiply: value * keep / (1 - p).
#pragma once
#include <cmath>
#include <cstdint>

#include "../core/philox.h"
#include "../ops/gru_layout.h"

namespace gru {
namespace cpu {

// Multiplies data[i] for i in [begin, end) (elements of layer `layer`'s input, layer >= 1, n of
// them in all) by its mask value.
template <typename T>
void applyGruDropout(const GruConfig& c, int64_t layer, T* data, int64_t n, int64_t begin, int64_t end) {
  // unitFloat(w) >= p compares (w >> 8) / 2^24 with p; as integers: (w >> 8) >= ceil(p * 2^24).
  const uint32_t threshold = static_cast<uint32_t>(std::ceil(c.dropout * 16777216.0));
  const T scale = c.dropout < 1.0 ? static_cast<T>(1.0 / (1.0 - c.dropout)) : T(0);
  const uint64_t first = c.dropoutOffset + static_cast<uint64_t>(layer - 1) * static_cast<uint64_t>(n);
  int64_t i = begin;
  while (i < end) {
    const uint64_t word = first + static_cast<uint64_t>(i);
    const PhiloxBlock block = philox4x32(word >> 2, c.dropoutSeed());  // four words per generator call
    for (uint64_t lane = word & 3; lane < 4 && i < end; ++lane, ++i) {
      data[i] = (block.w[lane] >> 8) >= threshold ? data[i] * scale : T(0);
    }
  }
}

template <typename T>
void applyGruDropout(const GruConfig& c, int64_t layer, T* data, int64_t n) {
  applyGruDropout(c, layer, data, n, 0, n);
}

}  // namespace cpu
}  // namespace gru
