// Requests of the training ops: the fused losses and the optimizer updates (backend.h).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "../core/tensor_ref.h"
#include "op_codes.h"

namespace gru {

// Per-element loss values out[i] = l(input[i], target[i]) * weight[i]. `weight` has input's
// element count; posWeight (binaryCrossEntropyWithLogits) has `lastDim` elements and applies to
// element i as posWeight[i % lastDim]. beta: smoothL1's threshold.
struct ElementLossRequest {
  ElementLoss kind = ElementLoss::Mse;
  TensorRef out;
  TensorRef input;
  TensorRef target;
  std::optional<TensorRef> weight;
  std::optional<TensorRef> posWeight;
  int64_t lastDim = 1;
  double beta = 1;
};

// gradIn[i] = gradOut[i or 0] * scale * d out[i] / d input[i] (gradOut has one element, or
// input's count).
struct ElementLossBackwardRequest {
  ElementLossRequest forward;
  TensorRef gradIn;
  TensorRef gradOut;
  double scale = 1;
};

// Note [Class losses]
// input [rows, classes]: logits (crossEntropy) or log-probabilities (nllLoss). target is int32
// class indices [rows] (an index equal to ignoreIndex contributes nothing) or, for
// crossEntropy, float probabilities [rows, classes]. Outputs per row: loss, and rowWeight, the
// row's share of a 'mean' reduction (the target's class weight, 0 when ignored; 1 for
// probability targets). crossEntropy also writes each row's log-sum-exp for the backward, which
// recomputes the softmax from the logits instead of keeping a [rows, classes] tensor. With
// label smoothing e the target is (1 - e) * onehot + e / classes, weighted per class.
struct ClassLossRequest {
  ClassLoss kind = ClassLoss::CrossEntropy;
  bool probabilityTarget = false;
  TensorRef loss;
  TensorRef rowWeight;
  std::optional<TensorRef> logSumExp;
  TensorRef input;
  TensorRef target;
  std::optional<TensorRef> weight;  // [classes]
  int64_t rows = 0, classes = 0;
  int64_t ignoreIndex = -100;
  double labelSmoothing = 0;
};

// gradIn [rows, classes] = gradOut[row or 0] * d loss[row] / d input.
struct ClassLossBackwardRequest {
  ClassLossRequest forward;  // its loss and rowWeight are unused
  TensorRef gradIn;
  TensorRef gradOut;
};

// Note [Optimizer updates]
// One group's update: every entry's parameter, its gradient and up to three state tensors
// (sgd: momentum; adam: exp_avg, exp_avg_sq, max_exp_avg_sq; rmsprop: square_avg, momentum
// buffer, grad_avg; adagrad: sum), all of the parameter's element count, dtype and device. `step`
// is the entry's update count including this one (bias corrections, Adagrad's lr decay);
// `firstStep` starts SGD's momentum buffer as a copy of the gradient. Formulas:
// ops/optimizer_rules.h.
struct OptimizerHyper {
  double lr = 0;
  double beta1 = 0.9, beta2 = 0.999;  // adam; rmsprop's alpha is beta2
  double eps = 1e-8;
  double weightDecay = 0;
  double momentum = 0, dampening = 0;
  bool nesterov = false, maximize = false, amsgrad = false, decoupledWeightDecay = false, centered = false;
  // Keras's placement of epsilon (ops/optimizer_rules.h): Adam adds it to the uncorrected root,
  // RMSprop and Adagrad inside the root.
  bool kerasEpsilon = false;
  double lrDecay = 0;  // adagrad: lr / (1 + (step - 1) lrDecay)
};

struct OptimizerEntry {
  TensorRef param;
  TensorRef grad;
  std::optional<TensorRef> state[3];
  double step = 1;
  bool firstStep = false;
};

struct OptimizerRequest {
  OptimizerKind kind = OptimizerKind::Sgd;
  OptimizerHyper hyper;
  std::vector<OptimizerEntry> entries;
};

}  // namespace gru
