// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
// counter-based generator, so element i of a draw depends only on (seed, offset + i). The CPU
// and CUDA backends use the same function and produce identical streams.
#pragma once
#include <array>
#include <cstdint>

#include "../ops/host_device.h"

namespace gru {

struct PhiloxBlock {
  uint32_t w[4];
};

GRU_HOST_DEVICE inline PhiloxBlock philox4x32(uint64_t counter, uint64_t seed) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32);
  uint32_t c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kMul0) * c0;
    const uint64_t p1 = static_cast<uint64_t>(kMul1) * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return PhiloxBlock{{c0, c1, c2, c3}};
}

// 32-bit word number `index` of the stream keyed by `seed`.
GRU_HOST_DEVICE inline uint32_t philoxWord(uint64_t seed, uint64_t index) {
  return philox4x32(index >> 2, seed).w[index & 3];
}

// [0, 1) with 24 random bits, and (0, 1] (safe for log) from the same word.
GRU_HOST_DEVICE inline float unitFloat(uint32_t w) { return static_cast<float>(w >> 8) * (1.0f / 16777216.0f); }
GRU_HOST_DEVICE inline float unitFloatOpen0(uint32_t w) { return static_cast<float>((w >> 8) + 1) * (1.0f / 16777216.0f); }
// [0, 1) with 53 random bits from two words.
GRU_HOST_DEVICE inline double unitDouble(uint32_t a, uint32_t b) {
  const uint64_t bits = (static_cast<uint64_t>(a >> 5) << 26) | (b >> 6);
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}
GRU_HOST_DEVICE inline double unitDoubleOpen0(uint32_t a, uint32_t b) {
  const uint64_t bits = (static_cast<uint64_t>(a >> 5) << 26) | (b >> 6);
  return static_cast<double>(bits + 1) * (1.0 / 9007199254740992.0);
}


}  // namespace gru
