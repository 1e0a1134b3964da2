// Sigmoid and tanh for the fused GRU gate loops. glibc's expf/tanhf are calls GCC cannot
// vectorise without -ffast-math, and three of them per hidden unit per step cost as much as the
// recurrent GEMM at moderate sizes. The float versions below are branch-free, so an 8-wide AVX2
// loop keeps them inline (they are inlined into every variant of Note [CPU kernel variants]); they stay within about 3e-7 relative of the libm
// results over the whole float range. float64 exists for gradient checks, where accuracy is the
// point, so it calls libm.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernel_targets.h"

namespace gru {
namespace act {

GRU_ALWAYS_INLINE float bitsToFloat(int32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

GRU_ALWAYS_INLINE int32_t floatToBits(float value) {
  int32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// cond ? a : b as bit operations. A plain ?: lets GCC sink the arm computations into branches,
// and with the default -ftrapping-math it then refuses to vectorise the loop.
GRU_ALWAYS_INLINE float select(bool cond, float a, float b) {
  const int32_t mask = -static_cast<int32_t>(cond);
  return bitsToFloat((floatToBits(a) & mask) | (floatToBits(b) & ~mask));
}

// e^x. x = k ln2 + r with |r| <= ln2/2; e^r by its Taylor polynomial to degree 7 (truncation
// below 6e-9 relative); 2^k applied as two halves so results down to the subnormals stay exact
// in the exponent. Below -104 the true value is under half the smallest subnormal.
GRU_ALWAYS_INLINE float expFast(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693145751953125f;          // ln 2 in the top 16 bits, so k * kLn2Hi is exact
  constexpr float kLn2Lo = 1.428606765330187045e-06f;   // ln 2 - kLn2Hi
  constexpr float kRoundMagic = 12582912.0f;            // 1.5 * 2^23: adding it rounds to an integer
  x = select(x < -104.0f, -104.0f, x);  // comparisons, not std::fmax: NaN passes through
  x = select(x > 88.75f, 88.75f, x);
  const float shifted = x * kLog2e + kRoundMagic;
  const float k = shifted - kRoundMagic;
  const int32_t ki = floatToBits(shifted) - floatToBits(kRoundMagic);
  const float r = (x - k * kLn2Hi) - k * kLn2Lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t half = ki >> 1;
  const float scaleA = bitsToFloat((half + 127) << 23);
  const float scaleB = bitsToFloat((ki - half + 127) << 23);
  return p * scaleA * scaleB;
}

GRU_ALWAYS_INLINE float sigmoid(float x) {
  // e = e^{-|x|} never overflows; sigmoid(-|x|) = e / (1 + e) keeps relative accuracy for x < 0.
  const float e = expFast(-std::fabs(x));
  const float s = 1.0f / (1.0f + e);
  return select(x >= 0.0f, s, e * s);
}

GRU_ALWAYS_INLINE float tanh(float x) {
  const float a = std::fabs(x);
  // Large |x|: (1 - e) / (1 + e) with e = e^{-2|x|}; no cancellation once |x| >= 0.4.
  const float e = expFast(-2.0f * a);
  const float large = (1.0f - e) / (1.0f + e);
  // Small |x|: the odd Taylor series, whose terms shrink by about (2x/pi)^2 each; eight terms
  // leave a relative truncation below 4e-9 at |x| = 0.4.
  const float a2 = a * a;
  float q = -929569.0f / 638512875.0f;
  q = q * a2 + 21844.0f / 6081075.0f;
  q = q * a2 - 1382.0f / 155925.0f;
  q = q * a2 + 62.0f / 2835.0f;
  q = q * a2 - 17.0f / 315.0f;
  q = q * a2 + 2.0f / 15.0f;
  q = q * a2 - 1.0f / 3.0f;
  const float small = a + a * a2 * q;
  const float magnitude = select(a < 0.4f, small, large);
  return select(x < 0.0f, -magnitude, magnitude);
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double tanh(double x) { return std::tanh(x); }

}  // namespace act
}  // namespace gru
