// The fast CPU GRU backward (docs/gru.md, "CPU backward"). Per layer, top down, and per direction,
// the steps run in reverse with only the dh_{t-1} GEMM in the loop (two for reset-before); the
// gate gradients of every row are kept, and once a direction is done its dW_ih, dW_hh and bias
// sums are single GEMMs / column sums over all T*B rows, and dX (the input gradient, or the
// gradient of the layer below's output) is one GEMM per direction. Padded rows have zero gate
// gradients and zero saved values, so they add nothing anywhere.
#include <algorithm>
#include <cstring>

#include "gemm.h"
#include "gru_cpu.h"
#include "gru_dropout.h"
#include "gru_gates.h"
#include "gru_plan.h"
#include "kernel_targets.h"
#include "packed_gemm.h"

namespace gru {
namespace cpu {
namespace {

template <typename T>
struct LayerDirectionGrads {
  const T* wIh;
  const T* wHh;
  T* dwIh;
  T* dwHh;
  T* dbIh;  // null without bias (all four null when no weight gradient is wanted)
  T* dbHh;

  LayerDirectionGrads(const GruConfig& c, const T* weights, T* dweights, int64_t l, int64_t d)
      : wIh(weights + gruParamOffset(c, l, d, GruParam::WeightIH)),
        wHh(weights + gruParamOffset(c, l, d, GruParam::WeightHH)),
        dwIh(dweights ? dweights + gruParamOffset(c, l, d, GruParam::WeightIH) : nullptr),
        dwHh(dweights ? dweights + gruParamOffset(c, l, d, GruParam::WeightHH) : nullptr),
        dbIh(dweights && c.bias ? dweights + gruParamOffset(c, l, d, GruParam::BiasIH) : nullptr),
        dbHh(dweights && c.bias ? dweights + gruParamOffset(c, l, d, GruParam::BiasHH) : nullptr) {}
};

template <typename T>
GRU_HOT_KERNEL void addColumnSums(int64_t rows, int64_t cols, const T* __restrict m, T* __restrict sums) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = m + r * cols;
    for (int64_t j = 0; j < cols; ++j) sums[j] += row[j];
  }
}

// The reverse-time loop of one direction: fills dGI (and dGH for reset-after) for every row and
// leaves the gradient of the direction's initial state in dh.
template <typename T>
GRU_HOT_KERNEL void recurrence(const GruPlan& p, const GruBackwardArgs<T>& a, T* ws, const LayerDirectionGrads<T>& w, int64_t l,
                int64_t d, const T* dy, T* dgi, T* dgh) {
  const int64_t H = p.H, H3 = 3 * H, B = p.B, yLd = p.D * H;
  const T* saved = a.reserve + p.savedOffset(l, d);
  T* dh = ws + p.bwState();
  T* drh = ws + p.bwResetState();
  const T* zeros = ws + p.bwZeros();
  const int64_t state = (l * p.D + d) * B * H;
  if (a.dhN) std::memcpy(dh, a.dhN + state, sizeof(T) * B * H);
  else std::fill(dh, dh + B * H, T(0));
  // Note [Packed recurrent weights]: dh (+)= dG W_hh for rows [0, 3H) (reset-after), or [2H, 3H)
  // then [0, 2H) (reset-before).
  const float* packedAll = nullptr;
  const float* packedCandidate = nullptr;
  const float* packedGates = nullptr;
  if constexpr (std::is_same_v<T, float>) {
    if (usePackedRecurrent<T>(p.T, B)) {
      float* packed = ws + p.bwPackedWeights();
      if (p.config.resetAfter) {
        packRows(w.wHh, H3, H, H, packed);
        packedAll = packed;
      } else {
        packRows(w.wHh + 2 * H * H, H, H, H, packed);
        packRows(w.wHh, 2 * H, H, H, packed + packedSize(H, H));
        packedCandidate = packed;
        packedGates = packed + packedSize(H, H);
      }
    }
  }

  for (int64_t s = p.T - 1; s >= 0; --s) {
    const int64_t t = d == 0 ? s : p.T - 1 - s;
    auto active = [&](int64_t b) { return a.lengths == nullptr || t < a.lengths[b]; };
    auto savedRow = [&](int64_t b) { return saved + p.row(t, b) * p.savedLd(); };
    auto dyRow = [&](int64_t b) { return dy ? dy + p.row(t, b) * yLd + d * H : zeros; };
    auto dgiRow = [&](int64_t b) { return dgi + p.row(t, b) * H3; };
    T* dgiStep = dgi + p.row(t, 0) * H3;
    const int64_t stepLd = p.stepStride(H3);
    const bool fused = p.config.defaultActivations();
    const GruActivation candidate = p.config.activation, gate = p.config.recurrentActivation;
    if (p.config.resetAfter) {
      for (int64_t b = 0; b < B; ++b) {
        T* dghRow = dgh + p.row(t, b) * H3;
        if (!active(b)) {
          zeroRow(H3, dgiRow(b));
          zeroRow(H3, dghRow);
        } else if (fused) {
          resetAfterBackwardRow(H, savedRow(b), dyRow(b), dh + b * H, dgiRow(b), dghRow);
        } else {
          resetAfterBackwardAny(H, candidate, gate, savedRow(b), dyRow(b), dh + b * H, dgiRow(b), dghRow);
        }
      }
      recurrentProduct<true>(false, B, H, H3, dgh + p.row(t, 0) * H3, stepLd, w.wHh, H, packedAll, dh, H);
    } else {
      for (int64_t b = 0; b < B; ++b) {
        if (!active(b)) zeroRow(H3, dgiRow(b));
        else if (fused) resetBeforeBackwardRowFirst(H, savedRow(b), dyRow(b), dh + b * H, dgiRow(b));
        else resetBeforeBackwardFirstAny(H, candidate, gate, savedRow(b), dyRow(b), dh + b * H, dgiRow(b));
      }
      recurrentProduct<false>(false, B, H, H, dgiStep + 2 * H, stepLd, w.wHh + 2 * H * H, H, packedCandidate, drh, H);
      for (int64_t b = 0; b < B; ++b) {
        if (!active(b)) continue;
        if (fused) resetBeforeBackwardRowSecond(H, savedRow(b), drh + b * H, dh + b * H, dgiRow(b));
        else resetBeforeBackwardSecondAny(H, savedRow(b), drh + b * H, dh + b * H, dgiRow(b));
      }
      recurrentProduct<true>(false, B, H, 2 * H, dgiStep, stepLd, w.wHh, H, packedGates, dh, H);
    }
  }
  if (a.dh0) std::memcpy(a.dh0 + state, dh, sizeof(T) * B * H);
}

// dW_ih += dGI^T X, dW_hh += dGH^T [h_prev rows] (reset-before: the n block pairs with r * h_prev
// instead), biases += column sums.
template <typename T>
void weightGradients(const GruPlan& p, const LayerDirectionGrads<T>& w, const T* saved, const T* x, int64_t inSize,
                     const T* dgi, const T* dgh) {
  const int64_t H = p.H, H3 = 3 * H, R = p.R, savedLd = p.savedLd();
  const T* hPrev = saved + GruPlan::SlotHPrev * H;
  blas::gemm(true, false, H3, inSize, R, T(1), dgi, H3, x, inSize, T(1), w.dwIh, inSize);
  if (p.config.resetAfter) {
    blas::gemm(true, false, H3, H, R, T(1), dgh, H3, hPrev, savedLd, T(1), w.dwHh, H);
  } else {
    blas::gemm(true, false, 2 * H, H, R, T(1), dgi, H3, hPrev, savedLd, T(1), w.dwHh, H);
    blas::gemm(true, false, H, H, R, T(1), dgi + 2 * H, H3, saved + GruPlan::SlotHiddenN * H, savedLd, T(1),
               w.dwHh + 2 * H * H, H);
  }
  if (w.dbIh) {
    addColumnSums(R, H3, dgi, w.dbIh);
    addColumnSums(R, H3, p.config.resetAfter ? dgh : dgi, w.dbHh);
  }
}

// x with padded rows zeroed: the batched dW_ih GEMM multiplies them by zero gate gradients, and
// 0 * NaN would still leak padding the caller never meant to be read.
template <typename T>
const T* maskedInput(const GruPlan& p, const GruBackwardArgs<T>& a, T* ws) {
  if (!a.lengths) return a.x;
  const int64_t I = p.config.inputSize;
  T* masked = ws + p.bwMaskedInput();
  for (int64_t t = 0; t < p.T; ++t) {
    for (int64_t b = 0; b < p.B; ++b) {
      const int64_t r = p.row(t, b);
      if (t < a.lengths[b]) std::memcpy(masked + r * I, a.x + r * I, sizeof(T) * I);
      else std::fill(masked + r * I, masked + (r + 1) * I, T(0));
    }
  }
  return masked;
}

}  // namespace

template <typename T>
void gruBackward(const GruConfig& config, const GruBackwardArgs<T>& a) {
  const GruPlan p(config);
  T* ws = a.workspace;
  std::fill(ws + p.bwZeros(), ws + p.bwZeros() + p.H, T(0));
  T* dOut = ws + p.bwOutputGrads();  // gradient of a lower layer's output (after dropout's backward)
  const T* dy = a.dy;
  for (int64_t l = p.L - 1; l >= 0; --l) {
    const int64_t inSize = config.layerInputSize(l);
    // Only the weight gradient reads the layer's input.
    const T* x = !a.dweights ? nullptr : l == 0 ? maskedInput(p, a, ws) : a.reserve + p.layerOutputOffset(l - 1);
    for (int64_t d = 0; d < p.D; ++d) {
      const LayerDirectionGrads<T> w(config, a.weights, a.dweights, l, d);
      T* dgi = ws + p.bwGateGrads(d);
      T* dgh = config.resetAfter ? ws + p.bwHiddenGateGrads() : dgi;
      recurrence(p, a, ws, w, l, d, dy, dgi, dgh);
      if (a.dweights) weightGradients(p, w, a.reserve + p.savedOffset(l, d), x, inSize, dgi, dgh);
    }
    // The layer's input gradient: dx for layer 0 (when wanted), else the layer below's dY,
    // which may overwrite this layer's dY now that both directions have consumed it.
    T* dIn = l == 0 ? a.dx : dOut;
    if (dIn) {
      for (int64_t d = 0; d < p.D; ++d) {
        const T* wIh = a.weights + gruParamOffset(config, l, d, GruParam::WeightIH);
        blas::gemm(false, false, p.R, inSize, 3 * p.H, T(1), ws + p.bwGateGrads(d), 3 * p.H, wIh, inSize,
                   d == 0 ? T(0) : T(1), dIn, inSize);
      }
    }
    if (l > 0 && config.dropoutActive()) applyGruDropout(config, l, dOut, p.layerOutputSize());
    dy = dOut;
  }
}

template void gruBackward<float>(const GruConfig&, const GruBackwardArgs<float>&);
template void gruBackward<double>(const GruConfig&, const GruBackwardArgs<double>&);

}  // namespace cpu
}  // namespace gru
