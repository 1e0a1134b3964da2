// Note [Bit-equal random streams]
// A draw fills element i from Philox words (seed, offset + i) (two words per float64), so every
// device computes the same values from the same stream. The formulas below are shared by the
// CPU fills and the CUDA kernels, and every multiply-add in them is an explicit fused one:
// whether a compiler would contract `a * b + c` on its own then never matters, and uniform draws
// are bit-equal across devices. Normal draws also call log, sqrt, sin and cos; CUDA's log, sin
// and cos may differ from glibc's by an ulp, so normal values can differ in the last bit.
#pragma once
#include <math.h>

#include <cmath>
#include <cstdint>

#include "../core/philox.h"
#include "host_device.h"
#include "op_codes.h"

namespace gru {

// The C functions: CUDA provides them on the device, and the C library (a compiler builtin for
// fma) on the host.
GRU_HOST_DEVICE inline double fusedMultiplyAdd(double a, double b, double c) { return ::fma(a, b, c); }
GRU_HOST_DEVICE inline float nextBelow(float x) { return ::nextafterf(x, -INFINITY); }
GRU_HOST_DEVICE inline double nextBelow(double x) { return ::nextafter(x, -static_cast<double>(INFINITY)); }

// A value in [low, high) from u in [0, 1); low and high are finite in T (the bindings check).
// low * (1 - u) + high * u never overflows where high - low would (a range across most of the
// float64 line), and rounding that would reach `high` is clamped just below it.
template <typename T>
GRU_HOST_DEVICE inline T uniformValue(double u, double low, double high) {
  T value = static_cast<T>(fusedMultiplyAdd(u, high, fusedMultiplyAdd(-u, low, low)));
  const T upper = static_cast<T>(high), lower = static_cast<T>(low);
  if (value >= upper) value = nextBelow(upper);
  if (value < lower) value = lower;
  return value;
}

// Element i of a uniform draw.
GRU_HOST_DEVICE inline float uniformElement(float*, uint64_t seed, uint64_t offset, int64_t i, double low, double high) {
  return uniformValue<float>(unitFloat(philoxWord(seed, offset + static_cast<uint64_t>(i))), low, high);
}
GRU_HOST_DEVICE inline double uniformElement(double*, uint64_t seed, uint64_t offset, int64_t i, double low, double high) {
  const uint64_t w = offset + 2 * static_cast<uint64_t>(i);
  return uniformValue<double>(unitDouble(philoxWord(seed, w), philoxWord(seed, w + 1)), low, high);
}

// Box-Muller pair p of a normal draw: elements 2p and 2p + 1 (the second only when < n).
template <typename T>
GRU_HOST_DEVICE inline void normalPairFromUnits(T* dst, int64_t n, int64_t pair, double u1, double u2, double mean,
                                                double stddev) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  const double scale = sqrt(-2.0 * log(u1)) * stddev;
  const double angle = kTwoPi * u2;
  dst[2 * pair] = static_cast<T>(fusedMultiplyAdd(scale, cos(angle), mean));
  if (2 * pair + 1 < n) dst[2 * pair + 1] = static_cast<T>(fusedMultiplyAdd(scale, sin(angle), mean));
}

GRU_HOST_DEVICE inline void normalPair(float* dst, int64_t n, int64_t pair, uint64_t seed, uint64_t offset, double mean,
                                       double stddev) {
  const uint64_t w = offset + 2 * static_cast<uint64_t>(pair);
  normalPairFromUnits(dst, n, pair, unitFloatOpen0(philoxWord(seed, w)), unitFloat(philoxWord(seed, w + 1)), mean, stddev);
}
GRU_HOST_DEVICE inline void normalPair(double* dst, int64_t n, int64_t pair, uint64_t seed, uint64_t offset, double mean,
                                       double stddev) {
  const uint64_t w = offset + 4 * static_cast<uint64_t>(pair);
  normalPairFromUnits(dst, n, pair, unitDoubleOpen0(philoxWord(seed, w), philoxWord(seed, w + 1)),
                      unitDouble(philoxWord(seed, w + 2), philoxWord(seed, w + 3)), mean, stddev);
}

// Generator words a draw of `numel` values consumes: one per float32 value, two per float64
// value, Box-Muller in pairs; rounded to whole Philox blocks so every draw starts on one.
inline uint64_t randomDrawWords(Distribution distribution, int64_t numel, bool wide) {
  const int64_t values = distribution == Distribution::Normal ? numel + (numel & 1) : numel;
  const uint64_t words = static_cast<uint64_t>(values) * (wide ? 2 : 1);
  return (words + 3) / 4 * 4;
}

}  // namespace gru
