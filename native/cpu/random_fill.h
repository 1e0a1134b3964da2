// Constant and Philox-random fills on host memory (float32 and float64).
#pragma once
#include <cmath>
#include <cstdint>

#include "../core/philox.h"

namespace gru {

template <typename T>
void fillConstant(T* dst, int64_t n, T value) {
  for (int64_t i = 0; i < n; ++i) dst[i] = value;
}

// float32 takes one word per value, float64 two.
inline uint64_t uniformWords(int64_t n, bool wide) { return philoxWordsFor(n, wide); }
// Box-Muller consumes values in pairs.
inline uint64_t normalWords(int64_t n, bool wide) { return philoxWordsFor(n + (n & 1), wide); }

inline void fillUniform(float* dst, int64_t n, uint64_t seed, uint64_t offset, double low, double high) {
  const float lo = static_cast<float>(low), span = static_cast<float>(high - low);
  for (int64_t i = 0; i < n; ++i) dst[i] = lo + span * unitFloat(philoxWord(seed, offset + i));
}

inline void fillUniform(double* dst, int64_t n, uint64_t seed, uint64_t offset, double low, double high) {
  const double span = high - low;
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t w = offset + 2 * static_cast<uint64_t>(i);
    dst[i] = low + span * unitDouble(philoxWord(seed, w), philoxWord(seed, w + 1));
  }
}

template <typename T>
void boxMuller(T* dst, int64_t n, int64_t pair, double u1, double u2, double mean, double stddev) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  const double radius = std::sqrt(-2.0 * std::log(u1));
  dst[2 * pair] = static_cast<T>(mean + stddev * radius * std::cos(kTwoPi * u2));
  if (2 * pair + 1 < n) dst[2 * pair + 1] = static_cast<T>(mean + stddev * radius * std::sin(kTwoPi * u2));
}

inline void fillNormal(float* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  for (int64_t p = 0; 2 * p < n; ++p) {
    const uint64_t w = offset + 2 * static_cast<uint64_t>(p);
    boxMuller(dst, n, p, unitFloatOpen0(philoxWord(seed, w)), unitFloat(philoxWord(seed, w + 1)), mean, stddev);
  }
}

inline void fillNormal(double* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  for (int64_t p = 0; 2 * p < n; ++p) {
    const uint64_t w = offset + 4 * static_cast<uint64_t>(p);
    boxMuller(dst, n, p, unitDoubleOpen0(philoxWord(seed, w), philoxWord(seed, w + 1)),
              unitDouble(philoxWord(seed, w + 2), philoxWord(seed, w + 3)), mean, stddev);
  }
}

}  // namespace gru
