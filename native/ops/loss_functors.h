// The per-element math of the element losses (Note [Class losses] has the row losses), written
// once for the CPU loops and the CUDA kernels, with torch's formulas: binaryCrossEntropy clamps
// each log at -100 and its gradient divides by max(x (1 - x), 1e-12f); the logits form uses the
// stable log(1 + exp(-|x|)) + max(-x, 0).
#pragma once
#include <math.h>

#include "host_device.h"
#include "op_codes.h"
#include "sigmoid.h"

namespace gru {

template <typename T>
GRU_HOST_DEVICE inline T signOf(T v) {
  return T((v > T(0)) - (v < T(0)));
}

// The loss of one element; posWeight is 1 unless the loss takes one.
template <typename T>
GRU_HOST_DEVICE inline T elementLossValue(ElementLoss kind, T x, T y, T beta, T posWeight) {
  switch (kind) {
    case ElementLoss::Mse: return (x - y) * (x - y);
    case ElementLoss::L1: return fabs(x - y);
    case ElementLoss::SmoothL1: {
      const T d = fabs(x - y);
      return d < beta ? T(0.5) * d * d / beta : d - T(0.5) * beta;
    }
    case ElementLoss::BinaryCrossEntropy: {
      const T logX = log(x) > T(-100) ? log(x) : T(-100);
      const T logOneMinusX = log1p(-x) > T(-100) ? log1p(-x) : T(-100);
      return (y - T(1)) * logOneMinusX - y * logX;
    }
    case ElementLoss::BinaryCrossEntropyWithLogits: {
      const T logWeight = (posWeight - T(1)) * y + T(1);
      const T negativePart = -x > T(0) ? -x : T(0);
      return (T(1) - y) * x + logWeight * (log1p(exp(-fabs(x))) + negativePart);
    }
  }
  return T(0);
}

// d loss / d x of one element.
template <typename T>
GRU_HOST_DEVICE inline T elementLossDerivative(ElementLoss kind, T x, T y, T beta, T posWeight) {
  switch (kind) {
    case ElementLoss::Mse: return T(2) * (x - y);
    case ElementLoss::L1: return signOf(x - y);
    case ElementLoss::SmoothL1: {
      const T d = x - y;
      return fabs(d) < beta ? d / beta : signOf(d);
    }
    case ElementLoss::BinaryCrossEntropy: {
      // torch's epsilon is the float 1e-12f in both dtypes.
      const T epsilon = static_cast<T>(1e-12f);
      const T denominator = (T(1) - x) * x;
      return (x - y) / (denominator > epsilon ? denominator : epsilon);
    }
    case ElementLoss::BinaryCrossEntropyWithLogits: {
      return stableSigmoid(x) * ((posWeight - T(1)) * y + T(1)) - posWeight * y;
    }
  }
  return T(0);
}

}  // namespace gru
