// Note [op codes]
// Every code that crosses the JS/native boundary is listed once here, as an X-macro list of
// (name, value, JS name). The enums below are generated from the lists, constants() exports
// them (runtime_bindings.cc), and a test checks lib/'s names against that export, so a code can
// neither be renumbered nor mistyped on one side only.
#pragma once
#include <cstdint>

namespace gru {

// Comparisons give 1 or 0 in the operands' dtype (there is no bool dtype).
#define GRU_BINARY_OPS(X)      \
  X(Add, 0, "add")             \
  X(Sub, 1, "sub")             \
  X(Mul, 2, "mul")             \
  X(Div, 3, "div")             \
  X(Pow, 4, "pow")             \
  X(Maximum, 5, "maximum")     \
  X(Minimum, 6, "minimum")     \
  X(Eq, 7, "eq")               \
  X(Ne, 8, "ne")               \
  X(Lt, 9, "lt")               \
  X(Le, 10, "le")              \
  X(Gt, 11, "gt")              \
  X(Ge, 12, "ge")

// Elementwise functions of one tensor; p0 and p1 are the op's parameters (pow: the exponent;
// clamp: the bounds; leakyRelu-style ops would take a slope).
#define GRU_UNARY_OPS(X)   \
  X(Exp, 0, "exp")         \
  X(Log, 1, "log")         \
  X(Sqrt, 2, "sqrt")       \
  X(Abs, 3, "abs")         \
  X(Relu, 4, "relu")       \
  X(Tanh, 5, "tanh")       \
  X(Sigmoid, 6, "sigmoid") \
  X(Gelu, 7, "gelu")       \
  X(PowScalar, 8, "pow")   \
  X(Clamp, 9, "clamp")     \
  X(Sign, 10, "sign")

// Reductions along one dimension (the tensor seen as [outer, n, inner]). max and min also give
// the index of the first extreme value; sumAbsPow is sum |x|^p (norms), maxAbs max |x|.
#define GRU_REDUCE_OPS(X)        \
  X(Sum, 0, "sum")               \
  X(Max, 1, "max")               \
  X(Min, 2, "min")               \
  X(SumAbsPow, 3, "sumAbsPow")   \
  X(MaxAbs, 4, "maxAbs")

// Losses computed element by element (prediction and target of one shape).
#define GRU_ELEMENT_LOSSES(X)                           \
  X(Mse, 0, "mse")                                      \
  X(L1, 1, "l1")                                        \
  X(SmoothL1, 2, "smoothL1")                            \
  X(BinaryCrossEntropy, 3, "binaryCrossEntropy")        \
  X(BinaryCrossEntropyWithLogits, 4, "binaryCrossEntropyWithLogits")

// Losses over rows of class scores [N, C]: cross-entropy takes logits, nll log-probabilities.
#define GRU_CLASS_LOSSES(X)             \
  X(CrossEntropy, 0, "crossEntropy")    \
  X(Nll, 1, "nllLoss")

// The GRU's gate activations (Note [GRU config fields]): `activation` makes the candidate n,
// `recurrentActivation` the gates r and z. hardSigmoid is Keras 3's relu6(x + 3) / 6;
// hardSigmoidTfjs is TF.js's and Keras 2's clip(0.2 x + 0.5, 0, 1).
#define GRU_ACTIVATIONS(X)                   \
  X(Tanh, 0, "tanh")                         \
  X(Sigmoid, 1, "sigmoid")                   \
  X(Relu, 2, "relu")                         \
  X(Linear, 3, "linear")                     \
  X(HardSigmoid, 4, "hardSigmoid")           \
  X(HardSigmoidTfjs, 5, "hardSigmoidTfjs")

// The passes of a GRU step's fused gates (ops/gru_gate_step.h): the reset-after step, and the
// reset-before step's two passes around its n-block GEMM.
#define GRU_GATE_STEPS(X)                    \
  X(ResetAfter, 0, "resetAfter")             \
  X(ResetPass, 1, "resetPass")               \
  X(UpdatePass, 2, "updatePass")

// Update rules of the optimizers (AdamW is Adam with decoupled weight decay).
#define GRU_OPTIMIZERS(X)  \
  X(Sgd, 0, "sgd")         \
  X(Adam, 1, "adam")       \
  X(Rmsprop, 2, "rmsprop") \
  X(Adagrad, 3, "adagrad")

// Which implementation runs an op: the fast one, or the plain-loop reference tests hold it to
// (CPU only).
#define GRU_KERNELS(X)  \
  X(Fast, 0, "fast")    \
  X(Reference, 1, "reference")

// The element type of a CPU inference weight copy (Note [Inference weight copies]).
#define GRU_INFERENCE_WEIGHTS(X) \
  X(Float32, 0, "float32")       \
  X(Bfloat16, 1, "bfloat16")

#define GRU_DISTRIBUTIONS(X) \
  X(Uniform, 0, "uniform")   \
  X(Normal, 1, "normal")

#define GRU_ENUM_ENTRY(name, value, js) name = value,
enum class BinaryOp : int32_t { GRU_BINARY_OPS(GRU_ENUM_ENTRY) };
enum class Kernel : int32_t { GRU_KERNELS(GRU_ENUM_ENTRY) };
enum class InferenceWeights : int32_t { GRU_INFERENCE_WEIGHTS(GRU_ENUM_ENTRY) };
enum class Distribution : int32_t { GRU_DISTRIBUTIONS(GRU_ENUM_ENTRY) };
enum class UnaryOp : int32_t { GRU_UNARY_OPS(GRU_ENUM_ENTRY) };
enum class ReduceOp : int32_t { GRU_REDUCE_OPS(GRU_ENUM_ENTRY) };
enum class ElementLoss : int32_t { GRU_ELEMENT_LOSSES(GRU_ENUM_ENTRY) };
enum class ClassLoss : int32_t { GRU_CLASS_LOSSES(GRU_ENUM_ENTRY) };
enum class OptimizerKind : int32_t { GRU_OPTIMIZERS(GRU_ENUM_ENTRY) };
enum class GruActivation : int32_t { GRU_ACTIVATIONS(GRU_ENUM_ENTRY) };
enum class GruGateStep : int32_t { GRU_GATE_STEPS(GRU_ENUM_ENTRY) };
#undef GRU_ENUM_ENTRY

#define GRU_COUNT_ENTRY(name, value, js) +1
constexpr int32_t kBinaryOpCount = 0 GRU_BINARY_OPS(GRU_COUNT_ENTRY);
constexpr int32_t kKernelCount = 0 GRU_KERNELS(GRU_COUNT_ENTRY);
constexpr int32_t kInferenceWeightsCount = 0 GRU_INFERENCE_WEIGHTS(GRU_COUNT_ENTRY);
constexpr int32_t kDistributionCount = 0 GRU_DISTRIBUTIONS(GRU_COUNT_ENTRY);
constexpr int32_t kUnaryOpCount = 0 GRU_UNARY_OPS(GRU_COUNT_ENTRY);
constexpr int32_t kReduceOpCount = 0 GRU_REDUCE_OPS(GRU_COUNT_ENTRY);
constexpr int32_t kElementLossCount = 0 GRU_ELEMENT_LOSSES(GRU_COUNT_ENTRY);
constexpr int32_t kClassLossCount = 0 GRU_CLASS_LOSSES(GRU_COUNT_ENTRY);
constexpr int32_t kOptimizerCount = 0 GRU_OPTIMIZERS(GRU_COUNT_ENTRY);
constexpr int32_t kGruActivationCount = 0 GRU_ACTIVATIONS(GRU_COUNT_ENTRY);
constexpr int32_t kGruGateStepCount = 0 GRU_GATE_STEPS(GRU_COUNT_ENTRY);
#undef GRU_COUNT_ENTRY

}  // namespace gru
