// The logistic function, split at 0 so exp never overflows: the one definition the unary op,
// the logits loss and the GRU's sigmoid activation use.
#pragma once
#include <math.h>

#include "host_device.h"

namespace gru {

template <typename T>
GRU_HOST_DEVICE GRU_INLINE T stableSigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + exp(-x));
  const T e = exp(x);
  return e / (T(1) + e);
}

}  // namespace gru
