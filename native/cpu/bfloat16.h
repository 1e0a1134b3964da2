// bfloat16: the top 16 bits of an IEEE float32 (same exponent range, 8 significant bits), the
// element type of the reduced-precision inference weights (Note [Inference weight copies]).
// Widening is exact (a shift); narrowing rounds to nearest, ties to even, and keeps NaN a NaN.
#pragma once
#include <cstdint>

namespace gru {

inline uint16_t toBfloat16(float value) {
  const uint32_t bits = __builtin_bit_cast(uint32_t, value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);  // quiet NaN
  const uint32_t roundingBias = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + roundingBias) >> 16);
}

inline float fromBfloat16(uint16_t value) { return __builtin_bit_cast(float, static_cast<uint32_t>(value) << 16); }

}  // namespace gru
