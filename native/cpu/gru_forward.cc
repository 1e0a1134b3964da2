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
#include "gru_split.h"
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

// The biases that only shift a gate's pre-activation, summed once per direction: b_ih, b_hr,
// b_hz, and b_hn too for reset-before (reset-after keeps b_hn inside r * (...), in the gate loop).
template <typename T>
void foldBiases(const GruPlan& p, const LayerDirection<T>& w, T* folded) {
  const int64_t H = p.H, H3 = 3 * H;
  for (int64_t j = 0; j < H3; ++j) folded[j] = w.bIh[j] + w.bHh[j];
  if (p.config.resetAfter) {
    for (int64_t j = 2 * H; j < H3; ++j) folded[j] = w.bIh[j];
  }
}

// GI rows [r0, r1) = X W_ih^T + the folded biases.
template <typename T>
void inputProjection(const GruPlan& p, const LayerDirection<T>& w, const T* x, int64_t inSize, const T* folded, T* gi,
                     int64_t r0, int64_t r1) {
  const int64_t H3 = 3 * p.H, rows = r1 - r0;
  x += r0 * inSize;
  gi += r0 * H3;
  if (w.bIh) {
    for (int64_t r = 0; r < rows; ++r) std::memcpy(gi + r * H3, folded, sizeof(T) * H3);
  }
  if constexpr (std::is_same_v<T, float>) {
    if (w.inputPanels) {
      packedGemm(w.bIh != nullptr, rows, H3, inSize, x, inSize, w.inputPanels, gi, H3);
      return;
    }
  }
  blas::gemm(false, true, rows, H3, inSize, T(1), x, inSize, w.wIh, inSize, w.bIh ? T(1) : T(0), gi, H3);
}

// What every step of one direction reads besides its rows: the weights, packed or not.
template <typename T>
struct DirectionSteps {
  const LayerDirection<T>& w;
  Panels packedFirst, packedCandidate;
  const T* bhn;  // b_hn, or zeros without bias
};

// Steps of one direction for batch rows [b0, b1), from h0 to hN.
template <bool Save, typename T>
GRU_HOT_KERNEL void runSteps(const GruPlan& p, const GruForwardArgs<T>& a, T* ws, const DirectionSteps<T>& run, int64_t l,
                             int64_t d, int64_t slot, T* y, int64_t b0, int64_t b1) {
  const int64_t H = p.H, H3 = 3 * H, rows = b1 - b0, yLd = p.D * H;
  const LayerDirection<T>& w = run.w;
  const T* gi = ws + p.fwGates(slot);
  T* gh = ws + p.fwHidden(slot) + b0 * H3;
  T* h = ws + p.fwState(slot) + b0 * H;
  T* rh = ws + p.fwResetState(slot) + b0 * H;
  T* saved = Save ? a.reserve + p.savedOffset(l, d) : nullptr;
  const int64_t state = (l * p.D + d) * p.B * H + b0 * H;
  if (a.h0) std::memcpy(h, a.h0 + state, sizeof(T) * rows * H);
  else std::fill(h, h + rows * H, T(0));
  // The fused loops serve the default activations; other pairs run each row in passes.
  const bool fused = p.config.defaultActivations();
  const GruActivation candidate = p.config.activation, gate = p.config.recurrentActivation;

  for (int64_t s = 0; s < p.T; ++s) {
    const int64_t t = d == 0 ? s : p.T - 1 - s;
    // i indexes the part's rows; batch row b0 + i.
    auto active = [&](int64_t i) { return a.lengths == nullptr || t < a.lengths[b0 + i]; };
    auto giRow = [&](int64_t i) { return gi + p.row(t, b0 + i) * H3; };
    auto yRow = [&](int64_t i) { return y + p.row(t, b0 + i) * yLd + d * H; };
    auto savedRow = [&](int64_t i) { return Save ? saved + p.row(t, b0 + i) * p.savedLd() : nullptr; };
    if (p.config.resetAfter) {
      recurrentProduct<false>(true, rows, H3, H, h, H, w.wHh, H, run.packedFirst, gh, H3);
      for (int64_t i = 0; i < rows; ++i) {
        if (!active(i)) paddedStepRow<Save>(H, yRow(i), savedRow(i));
        else if (fused) resetAfterStepRow<Save>(H, giRow(i), gh + i * H3, run.bhn, h + i * H, yRow(i), savedRow(i));
        else resetAfterStepAny<Save>(H, candidate, gate, giRow(i), gh + i * H3, run.bhn, rh + i * H, h + i * H, yRow(i), savedRow(i));
      }
    } else {
      recurrentProduct<false>(true, rows, 2 * H, H, h, H, w.wHh, H, run.packedFirst, gh, H3);
      for (int64_t i = 0; i < rows; ++i) {
        if (fused) resetBeforeGatesRow(H, giRow(i), gh + i * H3, h + i * H, rh + i * H);
        else resetBeforeGatesAny(H, gate, giRow(i), gh + i * H3, h + i * H, rh + i * H);
      }
      recurrentProduct<false>(true, rows, H, H, rh, H, w.wHh ? w.wHh + 2 * H * H : nullptr, H, run.packedCandidate, gh + 2 * H, H3);
      for (int64_t i = 0; i < rows; ++i) {
        if (!active(i)) paddedStepRow<Save>(H, yRow(i), savedRow(i));
        else if (fused) resetBeforeStepRow<Save>(H, giRow(i), gh + i * H3, rh + i * H, h + i * H, yRow(i), savedRow(i));
        else resetBeforeStepAny<Save>(H, candidate, giRow(i), gh + i * H3, rh + i * H, h + i * H, yRow(i), savedRow(i));
      }
    }
  }
  std::memcpy(a.hN + state, h, sizeof(T) * rows * H);
}

template <bool Save, typename T>
void runDirection(const GruPlan& p, const GruForwardArgs<T>& a, T* ws, int64_t l, int64_t d, int64_t slot, const T* x,
                  int64_t inSize, T* y, const ThreadSplit& split) {
  const int64_t H = p.H, H3 = 3 * H;
  const LayerDirection<T> w(p.config, a, l, d);
  T* folded = ws + p.fwFoldedBias(slot);
  if (w.bIh) foldBiases(p, w, folded);
  split.forRows(p.R, [&](int64_t r0, int64_t r1) { inputProjection(p, w, x, inSize, folded, ws + p.fwGates(slot), r0, r1); });
  // Reset-after multiplies by all 3H rows of W_hh at once; reset-before by rows [0, 2H), then [2H, 3H).
  const int64_t firstRows = p.config.resetAfter ? H3 : 2 * H;
  // Note [Packed recurrent weights].
  DirectionSteps<T> run{w, w.firstPanels, w.candidatePanels, w.bHh ? w.bHh + 2 * H : ws + p.fwZeros()};
  if constexpr (std::is_same_v<T, float>) {
    if (!run.packedFirst && usePackedRecurrent<T>(p.T, p.B)) {
      float* packed = ws + p.fwPackedWeights(slot);
      packTransposed(w.wHh, firstRows, H, H, packed);
      run.packedFirst = packed;
      if (!p.config.resetAfter) {
        packTransposed(w.wHh + 2 * H * H, H, H, H, packed + packedSize(firstRows, H));
        run.packedCandidate = packed + packedSize(firstRows, H);
      }
    }
  }
  split.forBatch(p.B, [&](int64_t b0, int64_t b1) { runSteps<Save>(p, a, ws, run, l, d, slot, y, b0, b1); });
}

template <bool Save, typename T>
void forwardLayers(const GruPlan& p, const GruForwardArgs<T>& a) {
  T* ws = a.workspace;
  std::fill(ws + p.fwZeros(), ws + p.fwZeros() + p.H, T(0));
  const ThreadSplit split(p);
  const T* x = a.x;
  for (int64_t l = 0; l < p.L; ++l) {
    const int64_t inSize = p.config.layerInputSize(l);
    T* y = a.y;
    if (l < p.L - 1) {
      y = Save ? a.reserve + p.layerOutputOffset(l) : ws + p.fwLayerBuffers() + (l % 2) * p.layerOutputSize();
    }
    split.forDirections(p.D, [&](int64_t d, int64_t slot) { runDirection<Save>(p, a, ws, l, d, slot, x, inSize, y, split); });
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
