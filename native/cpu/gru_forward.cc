// The fast CPU GRU forward (docs/gru.md, "CPU forward"): per layer and direction, one GEMM projects
// the inputs of all T*B rows; each step then runs one recurrent product on the B x H state (two
// for reset-before, whose n-block needs r first; Note [Packed recurrent weights]) and a fused
// gate loop. Training saves each row's
// gates and h_prev in the reserve (gru_plan.h); inference saves nothing.
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "gemm.h"
#include "gru_cpu.h"
#include "gru_dropout.h"
#include "gru_gates.h"
#include "gru_inference_weights.h"
#include "gru_plan.h"
#include "gru_split.h"
#include "kernel_targets.h"
#include "packed_gemm.h"
#include "step_team.h"
#include "wavefront_board.h"

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

// `rows` rows of GI (row stride ldc) = those rows of X W_ih^T + the folded biases.
template <typename T>
void inputProjection(const GruPlan& p, const LayerDirection<T>& w, const T* x, int64_t inSize, const T* folded, int64_t rows,
                     T* gi, int64_t ldc) {
  const int64_t H3 = 3 * p.H;
  const T* bias = w.bIh ? folded : nullptr;
  const auto prefillBias = [&] {
    if (bias) for (int64_t r = 0; r < rows; ++r) std::memcpy(gi + r * ldc, bias, sizeof(T) * H3);
  };
  if constexpr (std::is_same_v<T, float>) {
    if (w.inputPanels) {
      prefillBias();
      packedGemm(bias != nullptr, rows, H3, inSize, x, inSize, w.inputPanels, gi, ldc);
      return;
    }
  }
  if (rows > 1) {
    // Our GEMM adds the bias as it stores each tile: no pre-filled GI to read back.
    blas::matrixProduct(false, true, rows, H3, inSize, T(1), x, inSize, w.wIh, inSize, T(0), gi, ldc, bias);
    return;
  }
  prefillBias();
  blas::gemm(false, true, rows, H3, inSize, T(1), x, inSize, w.wIh, inSize, bias ? T(1) : T(0), gi, ldc);
}

// What every step of one direction reads besides its rows: the weights, packed or not.
template <typename T>
struct DirectionSteps {
  const LayerDirection<T>& w;
  Panels packedFirst, packedCandidate;
  const T* bhn;  // b_hn, or zeros without bias
};

// Where one direction's steps keep their per-step data: a slot of the plan's workspace.
template <typename T>
struct StepScratch {
  T* gi;
  // -1: GI holds every row in the user's order; else GI holds the steps from giFirstStep on,
  // time-major (the wavefront's chunks).
  int64_t giFirstStep;
  T* gh;
  T* h;
  T* rh;
};

template <typename T>
StepScratch<T> scratchOf(const GruPlan::StepSlot& slot, T* ws, int64_t giFirstStep) {
  return {ws + slot.gates, giFirstStep, ws + slot.hidden, ws + slot.state, ws + slot.resetState};
}

// Steps s0 .. s1 - 1 of one direction for batch rows [b0, b1): from h0 when s0 = 0, to hN when
// s1 = T, carrying the state in between in the scratch. Every member of `team` runs this with
// the same arguments (step_team.h).
template <bool Save, typename T>
GRU_HOT_KERNEL void runSteps(const GruPlan& p, const GruForwardArgs<T>& a, const StepScratch<T>& scratch, const DirectionSteps<T>& run,
                             int64_t l, int64_t d, T* y, int64_t b0, int64_t b1, int64_t s0, int64_t s1, StepTeam team = {}) {
  const int64_t H = p.H, H3 = 3 * H, rows = b1 - b0, yLd = p.D * H;
  const LayerDirection<T>& w = run.w;
  const T* gi = scratch.gi;
  T* gh = scratch.gh + b0 * H3;
  T* h = scratch.h + b0 * H;
  T* rh = scratch.rh + b0 * H;
  T* saved = Save ? a.reserve + p.savedOffset(l, d) : nullptr;
  const int64_t state = (l * p.D + d) * p.B * H + b0 * H;
  if (s0 == 0 && team.leads()) {
    if (a.h0) std::memcpy(h, a.h0 + state, sizeof(T) * rows * H);
    else std::fill(h, h + rows * H, T(0));
  }
  if (!team.sync()) return;
  // The fused loops serve the default activations; other pairs run each row in passes.
  const bool fused = p.config.defaultActivations();
  const GruActivation candidate = p.config.activation, gate = p.config.recurrentActivation;
  // C = A W_hh^T for n of the gate columns: the team's members each take their panels. False
  // for a member that must stop (StepTeam::sync).
  auto product = [&](int64_t n, const T* in, const T* wRows, Panels packed, T* c) {
    if constexpr (std::is_same_v<T, float>) {
      if (!team.alone()) return teamPackedProduct(team, false, rows, n, H, in, H, packed, c, H3);
    }
    recurrentProduct<false>(true, rows, n, H, in, H, wRows, H, packed, c, H3);
    return true;
  };

  for (int64_t s = s0; s < s1; ++s) {
    const int64_t t = d == 0 ? s : p.T - 1 - s;
    // i indexes the part's rows; batch row b0 + i.
    auto active = [&](int64_t i) { return a.lengths == nullptr || t < a.lengths[b0 + i]; };
    auto giRow = [&](int64_t i) {
      const int64_t r = scratch.giFirstStep < 0 ? p.row(t, b0 + i) : (t - scratch.giFirstStep) * p.B + b0 + i;
      return gi + r * H3;
    };
    auto yRow = [&](int64_t i) { return y + p.row(t, b0 + i) * yLd + d * H; };
    auto savedRow = [&](int64_t i) { return Save ? saved + p.row(t, b0 + i) * p.savedLd() : nullptr; };
    if (p.config.resetAfter) {
      if (!product(H3, h, w.wHh, run.packedFirst, gh)) return;
      for (auto [i, end] = team.rows(rows); i < end; ++i) {
        if (!active(i)) paddedStepRow<Save>(H, yRow(i), savedRow(i));
        else if (fused) resetAfterStepRow<Save>(H, giRow(i), gh + i * H3, run.bhn, h + i * H, yRow(i), savedRow(i));
        else resetAfterStepAny<Save>(H, candidate, gate, giRow(i), gh + i * H3, run.bhn, rh + i * H, h + i * H, yRow(i), savedRow(i));
      }
      if (!team.sync()) return;
    } else {
      if (!product(2 * H, h, w.wHh, run.packedFirst, gh)) return;
      for (auto [i, end] = team.rows(rows); i < end; ++i) {
        if (fused) resetBeforeGatesRow(H, giRow(i), gh + i * H3, h + i * H, rh + i * H);
        else resetBeforeGatesAny(H, gate, giRow(i), gh + i * H3, h + i * H, rh + i * H);
      }
      if (!team.sync()) return;
      if (!product(H, rh, w.wHh ? w.wHh + 2 * H * H : nullptr, run.packedCandidate, gh + 2 * H)) return;
      for (auto [i, end] = team.rows(rows); i < end; ++i) {
        if (!active(i)) paddedStepRow<Save>(H, yRow(i), savedRow(i));
        else if (fused) resetBeforeStepRow<Save>(H, giRow(i), gh + i * H3, rh + i * H, h + i * H, yRow(i), savedRow(i));
        else resetBeforeStepAny<Save>(H, candidate, giRow(i), gh + i * H3, rh + i * H, h + i * H, yRow(i), savedRow(i));
      }
      if (!team.sync()) return;
    }
  }
  if (s1 == p.T && team.leads()) std::memcpy(a.hN + state, h, sizeof(T) * rows * H);
}

// What the steps of `w` read, with W_hh packed for this call into `packed` (Note [Packed
// recurrent weights]) where that pays and the weights are not an inference copy's (packed already).
template <typename T>
DirectionSteps<T> prepareSteps(const GruPlan& p, const LayerDirection<T>& w, T* ws, T* packed) {
  const int64_t H = p.H;
  DirectionSteps<T> run{w, w.firstPanels, w.candidatePanels, w.bHh ? w.bHh + 2 * H : ws + p.fwZeros()};
  if constexpr (std::is_same_v<T, float>) {
    // Reset-after multiplies by all 3H rows of W_hh at once; reset-before by rows [0, 2H), then [2H, 3H).
    const int64_t firstRows = p.config.resetAfter ? 3 * H : 2 * H;
    if (!run.packedFirst && usePackedRecurrent<T>(p.T, p.B)) {
      packTransposed(w.wHh, firstRows, H, H, packed);
      run.packedFirst = packed;
      if (!p.config.resetAfter) {
        packTransposed(w.wHh + 2 * H * H, H, H, H, packed + packedSize(firstRows, H));
        run.packedCandidate = packed + packedSize(firstRows, H);
      }
    }
  }
  return run;
}

template <bool Save, typename T>
void runDirection(const GruPlan& p, const GruForwardArgs<T>& a, T* ws, int64_t l, int64_t d, int64_t slot, const T* x,
                  int64_t inSize, T* y, const ThreadSplit& split) {
  const int64_t H = p.H, H3 = 3 * H;
  const LayerDirection<T> w(p.config, a, l, d);
  T* folded = ws + p.fwSlot(slot).foldedBias;
  if (w.bIh) foldBiases(p, w, folded);
  const StepScratch<T> scratch = scratchOf(p.fwSlot(slot), ws, -1);
  split.forRows(p.R, [&](int64_t r0, int64_t r1) {
    inputProjection(p, w, x + r0 * inSize, inSize, folded, r1 - r0, scratch.gi + r0 * H3, H3);
  });
  const DirectionSteps<T> run = prepareSteps(p, w, ws, ws + p.fwPackedWeights(slot));
  split.forSteps(p.B, static_cast<bool>(run.packedFirst), [&](int64_t b0, int64_t b1, StepTeam team) {
    runSteps<Save>(p, a, scratch, run, l, d, y, b0, b1, 0, p.T, team);
  });
}

// Where layer l writes its output: the caller's y for the last layer; else the reserve
// (training) or one of two alternating buffers (inference).
template <bool Save, typename T>
T* layerOutput(const GruPlan& p, const GruForwardArgs<T>& a, T* ws, int64_t l) {
  if (l == p.L - 1) return a.y;
  return Save ? a.reserve + p.layerOutputOffset(l) : ws + p.fwLayerBuffers() + (l % 2) * p.layerOutputSize();
}

// The layer wavefront (Note [GRU thread split]): chunk j of layer l (its input projection,
// steps, and the dropout of its output rows) needs chunk j of layer l - 1 and chunk j - 1 of
// layer l. Returns false, having run nothing, where the threads cannot be had side by side
// (the chunks would wait on each other).
template <bool Save, typename T>
bool forwardWavefront(const GruPlan& p, const GruForwardArgs<T>& a, T* ws, int threads) {
  const int64_t H = p.H, H3 = 3 * H, B = p.B, chunkSteps = p.waveChunkSteps(), chunks = p.waveChunks();
  std::vector<LayerDirection<T>> weights;
  std::vector<DirectionSteps<T>> steps;
  weights.reserve(p.L);
  steps.reserve(p.L);
  for (int64_t l = 0; l < p.L; ++l) {
    weights.emplace_back(p.config, a, l, 0);
    const LayerDirection<T>& w = weights.back();
    if (w.bIh) foldBiases(p, w, ws + p.waveSlot(l).foldedBias);
    steps.push_back(prepareSteps(p, w, ws, ws + p.fwPackedWeights(l)));
  }
  auto runChunk = [&](int64_t l, int64_t j) {
    const int64_t s0 = j * chunkSteps, s1 = std::min(p.T, s0 + chunkSteps), n = s1 - s0;
    const int64_t inSize = p.config.layerInputSize(l);
    const T* x = l == 0 ? a.x : layerOutput<Save>(p, a, ws, l - 1);
    T* y = layerOutput<Save>(p, a, ws, l);
    const StepScratch<T> scratch = scratchOf(p.waveSlot(l), ws, s0);
    T* gi = scratch.gi;
    const T* folded = ws + p.waveSlot(l).foldedBias;
    // GI of the chunk, time-major: row (s - s0) * B + b.
    if (p.batchFirst) {
      for (int64_t b = 0; b < B; ++b) inputProjection(p, weights[l], x + (b * p.T + s0) * inSize, inSize, folded, n, gi + b * H3, B * H3);
    } else {
      inputProjection(p, weights[l], x + s0 * B * inSize, inSize, folded, n * B, gi, H3);
    }
    runSteps<Save>(p, a, scratch, steps[l], l, 0, y, 0, B, s0, s1);
    if (l < p.L - 1 && p.config.dropoutActive()) {
      p.forStepRows(s0, s1, [&](int64_t first, int64_t count) {
        applyGruDropout(p.config, l + 1, y, p.layerOutputSize(), first * H, (first + count) * H);
      });
    }
  };

  // Any thread runs any layer's next chunk (each layer's state lives in its own slot): the layer
  // it ran last when that is ready (its weights are in this core's cache), else the deepest
  // ready one, which drains the pipeline and keeps the threads evenly busy.
  WavefrontBoard board(p.L);
  std::vector<int64_t>& finished = board.finished;
  std::vector<char>& running = board.running;
  return runPartsSideBySide(threads, [&](int thread) {
    std::unique_lock<std::mutex> lock(board.completed.mutex());
    auto ready = [&](int64_t l) { return !running[l] && finished[l] < chunks && (l == 0 || finished[l - 1] > finished[l]); };
    int64_t last = thread < p.L ? thread : -1;
    for (;;) {
      int64_t layer = last >= 0 && ready(last) ? last : -1;
      bool allStarted = true;
      for (int64_t l = p.L - 1; l >= 0; --l) {
        if (finished[l] + running[l] < chunks) allStarted = false;
        if (layer < 0 && ready(l)) layer = l;
      }
      if (layer < 0) {
        if (allStarted) return;
        board.completed.awaitNext(lock);
        continue;
      }
      const int64_t j = finished[layer];
      last = layer;
      board.run(lock, layer, [&] { runChunk(layer, j); });
    }
  });
}

template <bool Save, typename T>
void forwardLayers(const GruPlan& p, const GruForwardArgs<T>& a) {
  T* ws = a.workspace;
  std::fill(ws + p.fwZeros(), ws + p.fwZeros() + p.H, T(0));
  const ThreadSplit split(p, a.inferenceCopy != nullptr);
  if (split.wavefrontThreads() > 1 && forwardWavefront<Save>(p, a, ws, split.wavefrontThreads())) return;
  const T* x = a.x;
  for (int64_t l = 0; l < p.L; ++l) {
    const int64_t inSize = p.config.layerInputSize(l);
    T* y = layerOutput<Save>(p, a, ws, l);
    split.forDirections(p.D, [&](int64_t d, int64_t slot) { runDirection<Save>(p, a, ws, l, d, slot, x, inSize, y, split); });
    if (l < p.L - 1 && p.config.dropoutActive()) applyGruDropout(p.config, l + 1, y, p.layerOutputSize());
    x = y;
  }
}

}  // namespace

GruBufferSizes gruBufferSizes(const GruConfig& config, int threads) {
  const GruPlan plan(config, threads);
  return GruBufferSizes{plan.reserveSize(), plan.forwardWorkspaceSize(), plan.backwardWorkspaceSize()};
}

template <typename T>
void gruForward(const GruConfig& config, const GruForwardArgs<T>& args) {
  const GruPlan plan(config, args.threads);
  if (args.reserve) forwardLayers<true>(plan, args);
  else forwardLayers<false>(plan, args);
}

template void gruForward<float>(const GruConfig&, const GruForwardArgs<float>&);
template void gruForward<double>(const GruConfig&, const GruForwardArgs<double>&);

}  // namespace cpu
}  // namespace gru
