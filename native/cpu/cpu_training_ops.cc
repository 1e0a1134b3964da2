// CpuBackend's training ops: the fused losses (ops/loss_functors.h, Note [Class losses]) and the
// optimizer updates (ops/optimizer_rules.h).
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "../core/errors.h"
#include "../ops/index_errors.h"
#include "../ops/loss_functors.h"
#include "../ops/optimizer_rules.h"
#include "cpu_backend.h"
#include "activations.h"
#include "float_dispatch.h"
#include "kernel_targets.h"

namespace gru {
namespace {

template <typename T>
T posWeightAt(const ElementLossRequest& r, int64_t i) {
  return r.posWeight ? r.posWeight->data<T>()[i % r.lastDim] : T(1);
}

// torch refuses probabilities outside [0, 1] (and NaN): a log of them would be NaN, which the
// -100 clamp would otherwise hide as a loss of 100.
template <typename T>
void checkProbabilities(const ElementLossRequest& r) {
  if (r.kind != ElementLoss::BinaryCrossEntropy) return;
  const T *x = r.input.data<T>(), *y = r.target.data<T>();
  for (int64_t i = 0; i < r.input.numel; ++i) {
    if (!(x[i] >= T(0) && x[i] <= T(1))) {
      throw Error(ErrorKind::Argument, "binaryCrossEntropy(): input must hold probabilities in [0, 1], got " + std::to_string(x[i]) +
                                           " at flat position " + std::to_string(i));
    }
    if (!(y[i] >= T(0) && y[i] <= T(1))) {
      throw Error(ErrorKind::Argument, "binaryCrossEntropy(): target must hold values in [0, 1], got " + std::to_string(y[i]) +
                                           " at flat position " + std::to_string(i));
    }
  }
}

template <typename T>
void elementLossLoop(const ElementLossRequest& r) {
  checkProbabilities<T>(r);
  const T *x = r.input.data<T>(), *y = r.target.data<T>();
  const T* w = r.weight ? r.weight->data<T>() : nullptr;
  T* out = r.out.data<T>();
  const T beta = static_cast<T>(r.beta);
  for (int64_t i = 0; i < r.input.numel; ++i) {
    const T value = elementLossValue(r.kind, x[i], y[i], beta, posWeightAt<T>(r, i));
    out[i] = w ? value * w[i] : value;
  }
}

template <typename T>
void elementLossBackwardLoop(const ElementLossBackwardRequest& b) {
  const ElementLossRequest& r = b.forward;
  const T *x = r.input.data<T>(), *y = r.target.data<T>(), *g = b.gradOut.data<T>();
  const T* w = r.weight ? r.weight->data<T>() : nullptr;
  T* out = b.gradIn.data<T>();
  const bool scalarGrad = b.gradOut.numel == 1;
  const T beta = static_cast<T>(r.beta), scale = static_cast<T>(b.scale);
  for (int64_t i = 0; i < r.input.numel; ++i) {
    T d = elementLossDerivative(r.kind, x[i], y[i], beta, posWeightAt<T>(r, i)) * (scalarGrad ? g[0] : g[i]) * scale;
    out[i] = w ? d * w[i] : d;
  }
}

void checkClassTargets(const ClassLossRequest& r) {
  if (r.probabilityTarget) return;
  const int32_t* t = r.target.data<int32_t>();
  for (int64_t row = 0; row < r.rows; ++row) {
    if (t[row] == r.ignoreIndex) continue;
    if (t[row] < 0 || t[row] >= r.classes) {
      throw Error(ErrorKind::Argument, badClassMessage(r.classes, row, t[row]));
    }
  }
}

// The class weights' sum (smoothing), or the class count without weights.
template <typename T>
double weightTotal(const ClassLossRequest& r) {
  if (!r.weight) return static_cast<double>(r.classes);
  double total = 0;
  for (int64_t c = 0; c < r.classes; ++c) total += r.weight->data<T>()[c];
  return total;
}

// Float rows of class scores, vectorised (act::expFast, within about 3e-7 of libm's expf).
// Sixteen running maxima in one vector (GCC vector type, lowered per GRU_HOT_KERNEL target), not
// one scalar chain: that form compiled to scalar vmaxss, about 5 ms of W's loss per step. NaN is
// skipped as before; the sum of exponentials carries it into the result.
typedef float Float16 __attribute__((vector_size(64)));
GRU_HOT_KERNEL float rowMax(const float* x, int64_t n) {
  constexpr float kLowest = -std::numeric_limits<float>::infinity();
  Float16 lanes = Float16{} + kLowest;
  int64_t c = 0;
  for (; c + 16 <= n; c += 16) {
    Float16 v;
    std::memcpy(&v, x + c, sizeof v);
    lanes = v > lanes ? v : lanes;
  }
  float m = kLowest;
  for (; c < n; ++c) m = x[c] > m ? x[c] : m;
  for (int k = 0; k < 16; ++k) m = lanes[k] > m ? lanes[k] : m;
  return m;
}

GRU_HOT_KERNEL double rowSumExp(const float* x, int64_t n, float shift) {
  double total = 0;
  for (int64_t start = 0; start < n; start += 1024) {
    const int64_t end = start + 1024 < n ? start + 1024 : n;
    float partial[16] = {};
    int64_t c = start;
    for (; c + 16 <= end; c += 16) {
      for (int k = 0; k < 16; ++k) partial[k] += act::expFast(x[c + k] - shift);
    }
    for (; c < end; ++c) partial[0] += act::expFast(x[c] - shift);
    for (int k = 0; k < 16; ++k) total += partial[k];
  }
  return total;
}

// d[c] = a * exp(x[c] - lse) - b * w[c] (w null: 1).
GRU_HOT_KERNEL void rowSoftmaxGrad(float* d, const float* x, int64_t n, float lse, float a, const float* w, float b) {
  if (w) {
    for (int64_t c = 0; c < n; ++c) d[c] = a * act::expFast(x[c] - lse) - b * w[c];
  } else {
    for (int64_t c = 0; c < n; ++c) d[c] = a * act::expFast(x[c] - lse) - b;
  }
}

template <typename T>
double logSumExpOf(const T* x, int64_t classes) {
  if constexpr (std::is_same_v<T, float>) {
    const float m = rowMax(x, classes);
    if (m == -std::numeric_limits<float>::infinity() || m != m) return m;
    return static_cast<double>(m) + std::log(rowSumExp(x, classes, m));
  }
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t c = 0; c < classes; ++c) m = x[c] > m || x[c] != x[c] ? x[c] : m;
  if (m == -std::numeric_limits<T>::infinity()) return m;
  double total = 0;
  for (int64_t c = 0; c < classes; ++c) total += std::exp(static_cast<double>(x[c] - m));
  return static_cast<double>(m) + std::log(total);
}

template <typename T>
void classLossLoop(const ClassLossRequest& r) {
  checkClassTargets(r);
  const T* input = r.input.data<T>();
  const T* w = r.weight ? r.weight->data<T>() : nullptr;
  T *loss = r.loss.data<T>(), *rowWeight = r.rowWeight.data<T>();
  const double e = r.labelSmoothing, perClass = e / static_cast<double>(r.classes);
  for (int64_t row = 0; row < r.rows; ++row) {
    const T* x = input + row * r.classes;
    const double lse = r.kind == ClassLoss::CrossEntropy ? logSumExpOf(x, r.classes) : 0.0;
    if (r.logSumExp) r.logSumExp->data<T>()[row] = static_cast<T>(lse);
    double value = 0, share = 1;
    if (r.probabilityTarget) {
      const T* q = r.target.data<T>() + row * r.classes;
      for (int64_t c = 0; c < r.classes; ++c) {
        const double target = (1 - e) * q[c] + perClass;
        value -= (w ? w[c] : 1.0) * target * (x[c] - lse);
      }
    } else {
      const int32_t t = r.target.data<int32_t>()[row];
      if (t == r.ignoreIndex) {
        share = 0;
      } else {
        share = w ? w[t] : 1.0;
        value = -share * (x[t] - lse);
        if (e > 0) {
          double smooth = 0;
          for (int64_t c = 0; c < r.classes; ++c) smooth -= (w ? w[c] : 1.0) * (x[c] - lse);
          value = (1 - e) * value + perClass * smooth;
        }
      }
    }
    loss[row] = static_cast<T>(value);
    rowWeight[row] = static_cast<T>(share);
  }
}

template <typename T>
void classLossBackwardLoop(const ClassLossBackwardRequest& b) {
  const ClassLossRequest& r = b.forward;
  const T* input = r.input.data<T>();
  const T* w = r.weight ? r.weight->data<T>() : nullptr;
  const T* g = b.gradOut.data<T>();
  T* out = b.gradIn.data<T>();
  const double e = r.labelSmoothing, perClass = e / static_cast<double>(r.classes);
  const double totalWeight = weightTotal<T>(r);
  for (int64_t row = 0; row < r.rows; ++row) {
    const T* x = input + row * r.classes;
    T* d = out + row * r.classes;
    const double scale = b.gradOut.numel == 1 ? g[0] : g[row];
    if (r.kind == ClassLoss::Nll) {
      const int32_t t = r.target.data<int32_t>()[row];
      for (int64_t c = 0; c < r.classes; ++c) d[c] = T(0);
      if (t != r.ignoreIndex) d[t] = static_cast<T>(-(w ? w[t] : 1.0) * scale);
      continue;
    }
    const double lse = r.logSumExp->data<T>()[row];
    if (r.probabilityTarget) {
      const T* q = r.target.data<T>() + row * r.classes;
      double mass = 0;  // sum_c w_c q_c
      for (int64_t c = 0; c < r.classes; ++c) mass += (w ? w[c] : 1.0) * ((1 - e) * q[c] + perClass);
      for (int64_t c = 0; c < r.classes; ++c) {
        const double p = std::exp(x[c] - lse), target = (1 - e) * q[c] + perClass;
        d[c] = static_cast<T>(scale * (mass * p - (w ? w[c] : 1.0) * target));
      }
      continue;
    }
    const int32_t t = r.target.data<int32_t>()[row];
    if (t == r.ignoreIndex) {
      for (int64_t c = 0; c < r.classes; ++c) d[c] = T(0);
      continue;
    }
    const double wt = w ? w[t] : 1.0;
    if constexpr (std::is_same_v<T, float>) {
      // grad_c = p_c ((1 - e) wt + e/C W) - e/C w_c, less (1 - e) wt at the target.
      const float a = static_cast<float>(scale * ((1 - e) * wt + perClass * totalWeight));
      rowSoftmaxGrad(d, x, r.classes, static_cast<float>(lse), a, e > 0 ? w : nullptr, e > 0 ? static_cast<float>(scale * perClass) : 0.0f);
      d[t] -= static_cast<float>(scale * (1 - e) * wt);
      continue;
    }
    for (int64_t c = 0; c < r.classes; ++c) {
      const double p = std::exp(x[c] - lse);
      double grad = (1 - e) * wt * (p - (c == t ? 1.0 : 0.0));
      if (e > 0) grad += perClass * (totalWeight * p - (w ? w[c] : 1.0));
      d[c] = static_cast<T>(scale * grad);
    }
  }
}

// One entry's update with the rule and the states present fixed at compile time, so the loop
// has no per-element dispatch and GCC vectorises it (a missing state is a local the rule never
// reads).
template <OptimizerKind Kind, bool Has0, bool Has1, bool Has2, bool Keras, typename T>
GRU_ALWAYS_INLINE void updateRunFor(const UpdateScalars<T>& scalars, T* p, const T* g, T* s0, T* s1, T* s2, int64_t n) {
  // The flags that choose which states the rule writes, as constants (the binding checked that
  // the states are present exactly when the flags need them), so the loop has no stores under
  // a run-time branch.
  UpdateScalars<T> s = scalars;
  s.kerasEpsilon = Keras;
  if (Kind == OptimizerKind::Sgd) s.hasMomentum = Has0;
  if (Kind == OptimizerKind::Adam) s.amsgrad = Has2;
  if (Kind == OptimizerKind::Rmsprop) {
    s.hasMomentum = Has1;
    s.centered = Has2;
  }
  for (int64_t i = 0; i < n; ++i) {
    T unused0 = 0, unused1 = 0, unused2 = 0;
    updateElement(Kind, s, p[i], g[i], Has0 ? s0 + i : &unused0, Has1 ? s1 + i : &unused1, Has2 ? s2 + i : &unused2);
  }
}

// Keras's epsilon placement is a compile-time choice too: a run-time branch between the two
// forms stops GCC vectorising the loop (Adam 9 -> 40 ms on the word LM).
template <OptimizerKind Kind, bool Has0, bool Has1, bool Has2, typename T>
GRU_ALWAYS_INLINE void updateRun(const UpdateScalars<T>& s, T* p, const T* g, T* s0, T* s1, T* s2, int64_t n) {
  if (s.kerasEpsilon) updateRunFor<Kind, Has0, Has1, Has2, true>(s, p, g, s0, s1, s2, n);
  else updateRunFor<Kind, Has0, Has1, Has2, false>(s, p, g, s0, s1, s2, n);
}

template <typename T>
GRU_ALWAYS_INLINE void updateEntry(OptimizerKind kind, const UpdateScalars<T>& s, T* p, const T* g, T* s0, T* s1, T* s2, int64_t n) {
  const int present = (s0 ? 1 : 0) | (s1 ? 2 : 0) | (s2 ? 4 : 0);
  switch (kind) {
    case OptimizerKind::Sgd:
      if (present & 1) updateRun<OptimizerKind::Sgd, true, false, false>(s, p, g, s0, s1, s2, n);
      else updateRun<OptimizerKind::Sgd, false, false, false>(s, p, g, s0, s1, s2, n);
      return;
    case OptimizerKind::Adam:
      if (present & 4) updateRun<OptimizerKind::Adam, true, true, true>(s, p, g, s0, s1, s2, n);
      else updateRun<OptimizerKind::Adam, true, true, false>(s, p, g, s0, s1, s2, n);
      return;
    case OptimizerKind::Rmsprop:
      switch (present) {
        case 1: updateRun<OptimizerKind::Rmsprop, true, false, false>(s, p, g, s0, s1, s2, n); return;
        case 3: updateRun<OptimizerKind::Rmsprop, true, true, false>(s, p, g, s0, s1, s2, n); return;
        case 5: updateRun<OptimizerKind::Rmsprop, true, false, true>(s, p, g, s0, s1, s2, n); return;
        default: updateRun<OptimizerKind::Rmsprop, true, true, true>(s, p, g, s0, s1, s2, n); return;
      }
    case OptimizerKind::Adagrad:
      updateRun<OptimizerKind::Adagrad, true, false, false>(s, p, g, s0, s1, s2, n);
      return;
  }
}

// The float loops run in the widest variant this CPU has (Note [CPU kernel variants]).
GRU_HOT_KERNEL void updateFloatEntry(OptimizerKind kind, const UpdateScalars<float>& s, float* p, const float* g, float* s0, float* s1,
                                     float* s2, int64_t n) {
  updateEntry(kind, s, p, g, s0, s1, s2, n);
}

template <typename T>
void optimizerLoop(const OptimizerRequest& r) {
  for (const OptimizerEntry& e : r.entries) {
    const UpdateScalars<T> s = updateScalarsOf<T>(r.hyper, e.step, e.firstStep);
    T* s0 = e.state[0] ? e.state[0]->data<T>() : nullptr;
    T* s1 = e.state[1] ? e.state[1]->data<T>() : nullptr;
    T* s2 = e.state[2] ? e.state[2]->data<T>() : nullptr;
    if constexpr (std::is_same_v<T, float>) updateFloatEntry(r.kind, s, e.param.data<T>(), e.grad.data<T>(), s0, s1, s2, e.param.numel);
    else updateEntry(r.kind, s, e.param.data<T>(), e.grad.data<T>(), s0, s1, s2, e.param.numel);
  }
}

}  // namespace

void CpuBackend::elementLoss(const ElementLossRequest& r) {
  raisePendingError();
  stream_.enqueue([r] { withFloatType(r.input.dtype, [&](auto tag) { elementLossLoop<decltype(tag)>(r); }); });
}

void CpuBackend::elementLossBackward(const ElementLossBackwardRequest& r) {
  raisePendingError();
  stream_.enqueue([r] { withFloatType(r.gradIn.dtype, [&](auto tag) { elementLossBackwardLoop<decltype(tag)>(r); }); });
}

void CpuBackend::classLoss(const ClassLossRequest& r) {
  raisePendingError();
  stream_.enqueue([r] { withFloatType(r.input.dtype, [&](auto tag) { classLossLoop<decltype(tag)>(r); }); });
}

void CpuBackend::classLossBackward(const ClassLossBackwardRequest& r) {
  raisePendingError();
  stream_.enqueue([r] { withFloatType(r.gradIn.dtype, [&](auto tag) { classLossBackwardLoop<decltype(tag)>(r); }); });
}

void CpuBackend::optimizerStep(const OptimizerRequest& r) {
  raisePendingError();
  stream_.enqueue([r] { withFloatType(r.entries.front().param.dtype, [&](auto tag) { optimizerLoop<decltype(tag)>(r); }); });
}

}  // namespace gru
