// Note [GRU config fields]
// The GRU problem one native call solves, listed once: GRU_CONFIG_FIELDS generates the struct
// below, the bindings' parser of the packed config (bindings/gru_config_arg.cc) and the field
// table constants() exports, from which lib/native/gru-config.ts packs configs in this order
// (a test checks its own list against that table). Kinds: Size, an integer in [1, max]; Flag,
// 0 or 1; Probability, a number in [0, 1); Word, an unsigned 32-bit integer; Count, an integer
// in [0, 2^53).
//
//  inputSize, hiddenSize, numLayers, bidirectional, bias   the network (PyTorch's nn.GRU options)
//  resetAfter  true: n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  (PyTorch, cuDNN, Keras reset_after=True)
//              false: n = tanh(W_in x + b_in + W_hn (r * h) + b_hn) (Keras reset_after=False, TF.js)
//  seqLen, batch, batchFirst   the call: x and y are [B, T, F] with batchFirst, else [T, B, F];
//              h0 and hN are always [L*D, B, H]
//  dropout, dropoutSeedLow/High, dropoutOffset   inverted dropout on the input of layers 1..L-1,
//              training only. The keep mask of element i of layer l's input (i = flat index in the
//              x-layout [T, B, D*H] buffer) is philox uniform(seed, offset + (l-1)*T*B*D*H + i) >= p,
//              and kept values are scaled by 1/(1-p); gruDropoutWords() is what a call consumes.
//  activation, recurrentActivation   the candidate's and the gates' functions (GRU_ACTIVATIONS
//              in op_codes.h): tanh and sigmoid by default, as PyTorch and cuDNN; cuDNN runs only
//              that pair.
//  allowTF32   float32 on cuda may use TF32 tensor cores (cuDNN's default math) instead of FMA
//              math: faster on Ampere and later, ~1e-3 relative error. The CPU ignores it.
//
// Size limits: the CPU kernels hand every dimension and row stride to 32-bit BLAS, so one step's
// widest row (6H, for the reset-before scratch) must fit in an int; the limits of a whole call
// (seqLen * batch rows, batch-first strides) are gruCallSizeProblem()'s.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>

#include "op_codes.h"

namespace gru {

constexpr int64_t kMaxBlasDimension = 2147483647;

#define GRU_CONFIG_FIELDS(X)                                 \
  X(inputSize, Size, kMaxBlasDimension)                     \
  X(hiddenSize, Size, kMaxBlasDimension / 6)                \
  X(numLayers, Size, kMaxBlasDimension)                     \
  X(bidirectional, Flag, 1)                                 \
  X(bias, Flag, 1)                                          \
  X(resetAfter, Flag, 1)                                    \
  X(seqLen, Size, kMaxBlasDimension)                        \
  X(batch, Size, kMaxBlasDimension)                         \
  X(batchFirst, Flag, 1)                                    \
  X(dropout, Probability, 1)                                \
  X(dropoutSeedLow, Word, 4294967295LL)                     \
  X(dropoutSeedHigh, Word, 4294967295LL)                    \
  X(dropoutOffset, Count, 9007199254740991LL)               \
  X(activation, Activation, kGruActivationCount - 1)        \
  X(recurrentActivation, Activation, kGruActivationCount - 1) \
  X(allowTF32, Flag, 1)

namespace gru_field {
using Size = int64_t;
using Flag = bool;
using Probability = double;
using Word = uint32_t;
using Count = uint64_t;
using Activation = GruActivation;
}  // namespace gru_field

struct GruConfig {
#define GRU_CONFIG_MEMBER(name, kind, max) gru_field::kind name{};
  GRU_CONFIG_FIELDS(GRU_CONFIG_MEMBER)
#undef GRU_CONFIG_MEMBER

  int64_t directions() const { return bidirectional ? 2 : 1; }
  int64_t layerInputSize(int64_t layer) const { return layer == 0 ? inputSize : directions() * hiddenSize; }
  uint64_t dropoutSeed() const { return (static_cast<uint64_t>(dropoutSeedHigh) << 32) | dropoutSeedLow; }
  bool dropoutActive() const { return dropout > 0.0 && numLayers > 1; }
  // The pair PyTorch and cuDNN compute, which the fused fast loops are written for.
  bool defaultActivations() const { return activation == GruActivation::Tanh && recurrentActivation == GruActivation::Sigmoid; }
};

enum class GruConfigField : int32_t {
#define GRU_CONFIG_INDEX(name, kind, max) name,
  GRU_CONFIG_FIELDS(GRU_CONFIG_INDEX)
#undef GRU_CONFIG_INDEX
  Count
};
constexpr int32_t kGruConfigFieldCount = static_cast<int32_t>(GruConfigField::Count);

// Why a call of this config cannot run ("" when it can): the limits that depend on seqLen and
// batch together. Messages name the config fields.
inline std::string gruCallSizeProblem(const GruConfig& c) {
  // In double: the int64 products of unchecked sizes could overflow.
  const double T = static_cast<double>(c.seqLen), B = static_cast<double>(c.batch);
  const double widest = static_cast<double>(
      std::max<int64_t>(std::max<int64_t>(c.inputSize, 6 * c.hiddenSize), c.directions() * c.hiddenSize));
  if (T * B > kMaxBlasDimension) {
    return "seqLen * batch = " + std::to_string(c.seqLen * c.batch) + " rows exceed 32-bit BLAS dimensions (at most " +
           std::to_string(kMaxBlasDimension) + ")";
  }
  if (c.batchFirst && T * widest > kMaxBlasDimension) {
    return "batch-first steps are strided by seqLen * " + std::to_string(static_cast<int64_t>(widest)) +
           " elements, beyond 32-bit BLAS strides (at most " + std::to_string(kMaxBlasDimension) + ")";
  }
  return "";
}

}  // namespace gru
