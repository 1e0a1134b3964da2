// The optimizer update rules (Note [Optimizer updates]), one element at a time, written once for
// the CPU loops and the CUDA kernels. The order of operations is torch 1.13's single-tensor
// path, so float64 runs agree with it to rounding.
#pragma once
#include <math.h>

#include "host_device.h"
#include "op_codes.h"
#include "training_requests.h"

namespace gru {

// An entry's scalars, in the element type, computed once per entry.
template <typename T>
struct UpdateScalars {
  T lr, beta1, beta2, eps, weightDecay, momentum, dampening;
  T stepSize;         // adam: lr / (1 - beta1^step)
  T biasCorrection2Sqrt;  // adam: sqrt(1 - beta2^step)
  T decayFactor;      // decoupled decay: 1 - lr * weightDecay
  T kerasStepSize;    // adam, Keras form: lr sqrt(1 - beta2^step) / (1 - beta1^step)
  T decayedLr;        // adagrad: lr / (1 + (step - 1) lrDecay)
  bool nesterov, maximize, amsgrad, decoupled, centered, firstStep, hasMomentum, hasDecay, kerasEpsilon;
};

template <typename T>
inline UpdateScalars<T> updateScalarsOf(const OptimizerHyper& h, double step, bool firstStep) {
  UpdateScalars<T> s{};
  s.lr = static_cast<T>(h.lr);
  s.beta1 = static_cast<T>(h.beta1);
  s.beta2 = static_cast<T>(h.beta2);
  s.eps = static_cast<T>(h.eps);
  s.weightDecay = static_cast<T>(h.weightDecay);
  s.momentum = static_cast<T>(h.momentum);
  s.dampening = static_cast<T>(h.dampening);
  s.stepSize = static_cast<T>(h.lr / (1.0 - ::pow(h.beta1, step)));
  s.biasCorrection2Sqrt = static_cast<T>(::sqrt(1.0 - ::pow(h.beta2, step)));
  s.decayFactor = static_cast<T>(1.0 - h.lr * h.weightDecay);
  s.kerasStepSize = static_cast<T>(h.lr * ::sqrt(1.0 - ::pow(h.beta2, step)) / (1.0 - ::pow(h.beta1, step)));
  s.decayedLr = static_cast<T>(h.lr / (1.0 + (step - 1.0) * h.lrDecay));
  s.kerasEpsilon = h.kerasEpsilon;
  s.nesterov = h.nesterov;
  s.maximize = h.maximize;
  s.amsgrad = h.amsgrad;
  s.decoupled = h.decoupledWeightDecay;
  s.centered = h.centered;
  s.firstStep = firstStep;
  s.hasMomentum = h.momentum != 0;
  s.hasDecay = h.weightDecay != 0;
  return s;
}

// Weight decay: torch adds L2 to the gradient; AdamW and every Keras optimizer decay the weights
// before the step (decoupled: p *= 1 - lr * weightDecay).
template <typename T>
GRU_HOST_DEVICE GRU_INLINE void applyWeightDecay(const UpdateScalars<T>& s, T& p, T& g) {
  if (!s.hasDecay) return;
  if (s.decoupled) p = p * s.decayFactor;
  else g = g + s.weightDecay * p;
}

// Updates p (and the state s0..s2, which may be null when the rule does not use them).
template <typename T>
GRU_HOST_DEVICE GRU_INLINE void updateElement(OptimizerKind kind, const UpdateScalars<T>& s, T& p, T g, T* s0, T* s1, T* s2) {
  if (s.maximize) g = -g;
  switch (kind) {
    case OptimizerKind::Sgd: {
      applyWeightDecay(s, p, g);
      if (s.hasMomentum) {
        *s0 = s.firstStep ? g : *s0 * s.momentum + (T(1) - s.dampening) * g;
        g = s.nesterov ? g + s.momentum * *s0 : *s0;
      }
      p = p + (-s.lr) * g;
      return;
    }
    case OptimizerKind::Adam: {
      applyWeightDecay(s, p, g);
      if (s.kerasEpsilon) {
        // Keras 3: m += (g - m)(1 - beta1), v += (g^2 - v)(1 - beta2), p -= a_t m / (sqrt(v) + eps).
        *s0 = *s0 + (g - *s0) * (T(1) - s.beta1);
        *s1 = *s1 + (g * g - *s1) * (T(1) - s.beta2);
      } else {
        *s0 = *s0 * s.beta1 + g * (T(1) - s.beta1);
        *s1 = *s1 * s.beta2 + (T(1) - s.beta2) * g * g;
      }
      T second = *s1;
      if (s.amsgrad) {
        *s2 = *s2 > *s1 ? *s2 : *s1;
        second = *s2;
      }
      if (s.kerasEpsilon) {
        p = p - s.kerasStepSize * (*s0 / (sqrt(second) + s.eps));
        return;
      }
      const T denominator = sqrt(second) / s.biasCorrection2Sqrt + s.eps;
      p = p + (-s.stepSize) * (*s0 / denominator);
      return;
    }
    case OptimizerKind::Rmsprop: {
      applyWeightDecay(s, p, g);
      // beta2 carries alpha.
      *s0 = *s0 * s.beta2 + (T(1) - s.beta2) * g * g;
      T average;
      if (s.centered) *s2 = *s2 * s.beta2 + g * (T(1) - s.beta2);
      const T variance = s.centered ? *s0 + T(-1) * *s2 * *s2 : *s0;
      // torch: sqrt(v) + eps; Keras: sqrt(v + eps).
      average = s.kerasEpsilon ? sqrt(variance + s.eps) : sqrt(variance) + s.eps;
      if (s.hasMomentum) {
        // torch: b = mu b + g / avg, p -= lr b; Keras: b = mu b + lr g / avg, p -= b.
        if (s.kerasEpsilon) {
          *s1 = *s1 * s.momentum + s.lr * g / average;
          p = p - *s1;
        } else {
          *s1 = *s1 * s.momentum + g / average;
          p = p + (-s.lr) * *s1;
        }
      } else {
        p = p + (-s.lr) * (g / average);
      }
      return;
    }
    case OptimizerKind::Adagrad: {
      applyWeightDecay(s, p, g);
      *s0 = *s0 + g * g;
      // torch: sqrt(sum) + eps; Keras: sqrt(sum + eps), and no lr decay.
      const T denominator = s.kerasEpsilon ? sqrt(*s0 + s.eps) : sqrt(*s0) + s.eps;
      p = p + (-s.decayedLr) * g / denominator;
      return;
    }
  }
}

}  // namespace gru
