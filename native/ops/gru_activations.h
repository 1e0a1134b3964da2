// The GRU's gate activations (GRU_ACTIVATIONS in op_codes.h) and their slopes, for the reference
// kernel, the CPU's general gate loops and CUDA kernels. Every slope is a function of the
// activation's output alone, so the backward needs nothing beyond the gates the forward saves.
#pragma once
#include <math.h>

#include "host_device.h"
#include "op_codes.h"
#include "sigmoid.h"

namespace gru {

template <typename T>
GRU_HOST_DEVICE GRU_INLINE T clampUnit(T v) {
  return v < T(0) ? T(0) : (v > T(1) ? T(1) : v);
}

template <typename T>
GRU_HOST_DEVICE GRU_INLINE T activationValue(GruActivation kind, T x) {
  switch (kind) {
    case GruActivation::Tanh: return tanh(x);
    case GruActivation::Sigmoid: return stableSigmoid(x);
    case GruActivation::Relu: return x < T(0) ? T(0) : x;
    case GruActivation::Linear: return x;
    case GruActivation::HardSigmoid: return clampUnit((x + T(3)) / T(6));
    case GruActivation::HardSigmoidTfjs: return clampUnit(T(0.2) * x + T(0.5));
  }
  return x;
}

// d activation / dx at the point whose output is y. The hard sigmoids are flat outside (0, 1).
template <typename T>
GRU_HOST_DEVICE GRU_INLINE T activationSlope(GruActivation kind, T y) {
  switch (kind) {
    case GruActivation::Tanh: return T(1) - y * y;
    case GruActivation::Sigmoid: return y * (T(1) - y);
    case GruActivation::Relu: return y > T(0) ? T(1) : T(0);
    case GruActivation::Linear: return T(1);
    case GruActivation::HardSigmoid: return y > T(0) && y < T(1) ? T(1) / T(6) : T(0);
    case GruActivation::HardSigmoidTfjs: return y > T(0) && y < T(1) ? T(0.2) : T(0);
  }
  return T(1);
}

}  // namespace gru
