// The fast CPU GRU forward (docs/gru.md, "CPU forward"): per layer and direction, one GEMM projects
// the inputs of all T*B rows; each step then runs one recurrent product on the B x H state (two
// for reset-before, whose n-block needs r first; Note [Packed recurrent weights]) and a fused
// gate loop. Training saves each row's
// gates and h_prev in the reserve (gru_plan.h); inference saves nothing.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "gemm.h"
#include "gru_cpu.h"
#include "gru_dropout.h"
#include "gru_gates.h"
#include "gru_inference_weights.h"
#include "gru_plan.h"
#include "kernel_targets.h"
#include "packed_gemm.h"

namespace gru {
namespace cpu {
namespace {

template <typename T>
struct LayerDirection {
  const T* wIh = nullptr;  // null with an inference copy
  const T* wHh = nullptr;
  const T* bIh = nullptr;  // null without bias
  const T* bHh = nullptr;
  // Note [Inference weight copies]: with a copy, every weight product runs through these.
  Panels inputPanels, firstPanels, candidatePanels;

  LayerDirection(const GruConfig& c, const GruForwardArgs<T>& a, int64_t l, int64_t d) {
    if constexpr (std::is_same_v<T, float>) {
      if (a.inferenceCopy) {
        fromCopy(c, a, l, d);
        return;
      }
    }
    wIh = a.weights + gruParamOffset(c, l, d, GruParam::WeightIH);
    wHh = a.weights + gruParamOffset(c, l, d, GruParam::WeightHH);
    if (c.bias) {
      bIh = a.weights + gruParamOffset(c, l, d, GruParam::BiasIH);
      bHh = a.weights + gruParamOffset(c, l, d, GruParam::BiasHH);
    }
  }

 private:
  void fromCopy(const GruConfig& c, const GruForwardArgs<float>& a, int64_t l, int64_t d) {
    const InferenceLayout layout(c, a.inferenceFormat);
    if (c.bias) {
      bIh = a.inferenceCopy + layout.biases(l, d);
      bHh = bIh + 3 * c.hiddenSize;
    }
    const float* panels = a.inferenceCopy + layout.panelStart();
    auto at = [&](int64_t offset) -> Panels {
      if (a.inferenceFormat == InferenceWeights::Bfloat16) return reinterpret_cast<const uint16_t*>(panels) + offset;
      return panels + offset;
    };
    inputPanels = at(layout.inputPanels(l, d));
    firstPanels = at(layout.firstRecurrentPanels(l, d));
    if (!c.resetAfter) candidatePanels = at(layout.candidatePanels(l, d));
  }
};

// GI = X W_ih^T + every bias that only shifts a gate's pre-activation: b_ih, b_hr, b_hz, and
// b_hn too for reset-before (reset-after keeps b_hn inside r * (...), in the gate loop).
template <typename T>
void inputProjection(const GruPlan& p, const LayerDirection<T>& w, const T* x, int64_t inSize, T* folded, T* gi) {
  const int64_t H = p.H, H3 = 3 * H;
  T beta = T(0);
  if (w.bIh) {
    for (int64_t j = 0; j < H3; ++j) folded[j] = w.bIh[j] + w.bHh[j];
    if (p.config.resetAfter) {
      for (int64_t j = 2 * H; j < H3; ++j) folded[j] = w.bIh[j];
    }
    for (int64_t r = 0; r < p.R; ++r) std::memcpy(gi + r * H3, folded, sizeof(T) * H3);
    beta = T(1);
  }
  if constexpr (std::is_same_v<T, float>) {
    if (w.inputPanels) {
      packedGemm(beta != T(0), p.R, H3, inSize, x, inSize, w.inputPanels, gi, H3);
      return;
    }
  }
  blas::gemm(false, true, p.R, H3, inSize, T(1), x, inSize, w.wIh, inSize, beta, gi, H3);
}

template <bool Save, typename T>
GRU_HOT_KERNEL void runDirection(const GruPlan& p, const GruForwardArgs<T>& a, T* ws, int64_t l, int64_t d, const T* x,
                  int64_t inSize, T* y) {
  const int64_t H = p.H, H3 = 3 * H, B = p.B, yLd = p.D * H;
  const LayerDirection<T> w(p.config, a, l, d);
  T* gi = ws + p.fwGates();
  T* gh = ws + p.fwHidden();
  T* h = ws + p.fwState();
  T* rh = ws + p.fwResetState();
  const T* bhn = w.bHh ? w.bHh + 2 * H : ws + p.fwZeros();
  T* saved = Save ? a.reserve + p.savedOffset(l, d) : nullptr;
  inputProjection(p, w, x, inSize, ws + p.fwFoldedBias(), gi);
  // Reset-after multiplies by all 3H rows of W_hh at once; reset-before by rows [0, 2H), then [2H, 3H).
  const int64_t firstRows = p.config.resetAfter ? H3 : 2 * H;
  // Note [Packed recurrent weights].
  Panels packedFirst = w.firstPanels;
  Panels packedCandidate = w.candidatePanels;
  if constexpr (std::is_same_v<T, float>) {
    if (!packedFirst && usePackedRecurrent<T>(p.T, B)) {
      float* packed = ws + p.fwPackedWeights();
      packTransposed(w.wHh, firstRows, H, H, packed);
      packedFirst = packed;
      if (!p.config.resetAfter) {
        packTransposed(w.wHh + 2 * H * H, H, H, H, packed + packedSize(firstRows, H));
        packedCandidate = packed + packedSize(firstRows, H);
      }
    }
  }

  const int64_t state = (l * p.D + d) * B * H;
  if (a.h0) std::memcpy(h, a.h0 + state, sizeof(T) * B * H);
  else std::fill(h, h + B * H, T(0));

  for (int64_t s = 0; s < p.T; ++s) {
    const int64_t t = d == 0 ? s : p.T - 1 - s;
    auto active = [&](int64_t b) { return a.lengths == nullptr || t < a.lengths[b]; };
    auto giRow = [&](int64_t b) { return gi + p.row(t, b) * H3; };
    auto yRow = [&](int64_t b) { return y + p.row(t, b) * yLd + d * H; };
    auto savedRow = [&](int64_t b) { return Save ? saved + p.row(t, b) * p.savedLd() : nullptr; };
    // The fused loops serve the default activations; other pairs run each row in passes.
    const bool fused = p.config.defaultActivations();
    const GruActivation candidate = p.config.activation, gate = p.config.recurrentActivation;
    if (p.config.resetAfter) {
      recurrentProduct<false>(true, B, H3, H, h, H, w.wHh, H, packedFirst, gh, H3);
      for (int64_t b = 0; b < B; ++b) {
        if (!active(b)) paddedStepRow<Save>(H, yRow(b), savedRow(b));
        else if (fused) resetAfterStepRow<Save>(H, giRow(b), gh + b * H3, bhn, h + b * H, yRow(b), savedRow(b));
        else resetAfterStepAny<Save>(H, candidate, gate, giRow(b), gh + b * H3, bhn, rh + b * H, h + b * H, yRow(b), savedRow(b));
      }
    } else {
      recurrentProduct<false>(true, B, 2 * H, H, h, H, w.wHh, H, packedFirst, gh, H3);
      for (int64_t b = 0; b < B; ++b) {
        if (fused) resetBeforeGatesRow(H, giRow(b), gh + b * H3, h + b * H, rh + b * H);
        else resetBeforeGatesAny(H, gate, giRow(b), gh + b * H3, h + b * H, rh + b * H);
      }
      recurrentProduct<false>(true, B, H, H, rh, H, w.wHh ? w.wHh + 2 * H * H : nullptr, H, packedCandidate, gh + 2 * H, H3);
      for (int64_t b = 0; b < B; ++b) {
        if (!active(b)) paddedStepRow<Save>(H, yRow(b), savedRow(b));
        else if (fused) resetBeforeStepRow<Save>(H, giRow(b), gh + b * H3, rh + b * H, h + b * H, yRow(b), savedRow(b));
        else resetBeforeStepAny<Save>(H, candidate, giRow(b), gh + b * H3, rh + b * H, h + b * H, yRow(b), savedRow(b));
      }
    }
  }
  std::memcpy(a.hN + state, h, sizeof(T) * B * H);
}

template <bool Save, typename T>
void forwardLayers(const GruPlan& p, const GruForwardArgs<T>& a) {
  T* ws = a.workspace;
  std::fill(ws + p.fwZeros(), ws + p.fwZeros() + p.H, T(0));
  const T* x = a.x;
  for (int64_t l = 0; l < p.L; ++l) {
    const int64_t inSize = p.config.layerInputSize(l);
    T* y = a.y;
    if (l < p.L - 1) {
      y = Save ? a.reserve + p.layerOutputOffset(l) : ws + p.fwLayerBuffers() + (l % 2) * p.layerOutputSize();
    }
    for (int64_t d = 0; d < p.D; ++d) runDirection<Save>(p, a, ws, l, d, x, inSize, y);
    if (l < p.L - 1 && p.config.dropoutActive()) applyGruDropout(p.config, l + 1, y, p.layerOutputSize());
    x = y;
  }
}

}  // namespace

GruBufferSizes gruBufferSizes(const GruConfig& config) {
  const GruPlan plan(config);
  return GruBufferSizes{plan.reserveSize(), plan.forwardWorkspaceSize(), plan.backwardWorkspaceSize()};
}

template <typename T>
void gruForward(const GruConfig& config, const GruForwardArgs<T>& args) {
  const GruPlan plan(config);
  if (args.reserve) forwardLayers<true>(plan, args);
  else forwardLayers<false>(plan, args);
}

template void gruForward<float>(const GruConfig&, const GruForwardArgs<float>&);
template void gruForward<double>(const GruConfig&, const GruForwardArgs<double>&);

}  // namespace cpu
}  // namespace gru
