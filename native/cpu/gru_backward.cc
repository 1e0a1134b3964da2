// The fast CPU GRU backward (docs/gru.md, "CPU backward"). Per layer, top down, and per direction,
// the steps run in reverse with only the dh_{t-1} GEMM in the loop (two for reset-before); the
// gate gradients of every row are kept, and once a direction is done its dW_ih, dW_hh and bias
// sums are single GEMMs / column sums over all T*B rows, and dX (the input gradient, or the
// gradient of the layer below's output) is one GEMM per direction. Padded rows have zero gate
// gradients and zero saved values, so they add nothing anywhere.
#include <algorithm>
#include <cstring>
#include <vector>

#include "elementwise.h"
#include "gemm.h"
#include "gru_cpu.h"
#include "gru_dropout.h"
#include "gru_gates.h"
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
GRU_HOT_KERNEL void addColumnSums(int64_t rows, int64_t cols, int64_t ld, const T* __restrict m, T* __restrict sums) {
  addColumnSumsOf(rows, cols, ld, m, sums);
}

// The recurrent weights the reverse steps multiply by (Note [Packed recurrent weights]): dh (+)=
// dG W_hh for rows [0, 3H) (reset-after), or [2H, 3H) then [0, 2H) (reset-before).
struct PackedRecurrentGrads {
  const float* all = nullptr;
  const float* candidate = nullptr;
  const float* gates = nullptr;
};

template <typename T>
PackedRecurrentGrads packRecurrentGrads(const GruPlan& p, const LayerDirectionGrads<T>& w, T* ws, int64_t slot) {
  PackedRecurrentGrads packed;
  if constexpr (std::is_same_v<T, float>) {
    const int64_t H = p.H;
    if (usePackedRecurrent<T>(p.T, p.B)) {
      float* out = ws + p.bwPackedWeights(slot);
      if (p.config.resetAfter) {
        packRows(w.wHh, 3 * H, H, H, out);
        packed.all = out;
      } else {
        packRows(w.wHh + 2 * H * H, H, H, H, out);
        packRows(w.wHh, 2 * H, H, H, out + packedSize(H, H));
        packed.candidate = out;
        packed.gates = out + packedSize(H, H);
      }
    }
  }
  return packed;
}

// The reverse-time loop of one direction for batch rows [b0, b1), over steps s1 - 1 down to s0:
// fills their dGI (and dGH for reset-after) rows, carrying the state's gradient in dh, from dhN
// when s1 = T, to dh0 when s0 = 0. Every member of `team` runs this with the same arguments
// (step_team.h).
template <typename T>
GRU_HOT_KERNEL void recurrence(const GruPlan& p, const GruBackwardArgs<T>& a, T* ws, const LayerDirectionGrads<T>& w,
                               const PackedRecurrentGrads& packed, int64_t l, int64_t d, int64_t slot, const T* dy, T* dgi,
                               T* dgh, int64_t b0, int64_t b1, int64_t s0, int64_t s1, StepTeam team = {}) {
  const int64_t H = p.H, H3 = 3 * H, rows = b1 - b0, yLd = p.D * H;
  const T* saved = a.reserve + p.savedOffset(l, d);
  T* dh = ws + p.bwState(slot) + b0 * H;
  T* drh = ws + p.bwResetState(slot) + b0 * H;
  const T* zeros = ws + p.bwZeros();
  const int64_t state = (l * p.D + d) * p.B * H + b0 * H;
  if (s1 == p.T && team.leads()) {
    if (a.dhN) std::memcpy(dh, a.dhN + state, sizeof(T) * rows * H);
    else std::fill(dh, dh + rows * H, T(0));
  }
  if (!team.sync()) return;
  const bool fused = p.config.defaultActivations();
  const GruActivation candidate = p.config.activation, gate = p.config.recurrentActivation;
  const int64_t stepLd = p.stepStride(H3);
  // C (+)= A W_hh rows for the H columns of dh: the team's members each take their panels. False
  // for a member that must stop (StepTeam::sync).
  auto product = [&](bool accumulate, int64_t k, const T* in, const T* wRows, const float* packedRows, T* c) {
    if constexpr (std::is_same_v<T, float>) {
      if (!team.alone()) return teamPackedProduct(team, accumulate, rows, H, k, in, stepLd, packedRows, c, H);
    }
    if (accumulate) recurrentProduct<true>(false, rows, H, k, in, stepLd, wRows, H, packedRows, c, H);
    else recurrentProduct<false>(false, rows, H, k, in, stepLd, wRows, H, packedRows, c, H);
    return true;
  };

  for (int64_t s = s1 - 1; s >= s0; --s) {
    const int64_t t = d == 0 ? s : p.T - 1 - s;
    // i indexes the part's rows; batch row b0 + i.
    auto active = [&](int64_t i) { return a.lengths == nullptr || t < a.lengths[b0 + i]; };
    auto savedRow = [&](int64_t i) { return saved + p.row(t, b0 + i) * p.savedLd(); };
    auto dyRow = [&](int64_t i) { return dy ? dy + p.row(t, b0 + i) * yLd + d * H : zeros; };
    auto dgiRow = [&](int64_t i) { return dgi + p.row(t, b0 + i) * H3; };
    T* dgiStep = dgiRow(0);
    if (p.config.resetAfter) {
      for (auto [i, end] = team.rows(rows); i < end; ++i) {
        T* dghRow = dgh + p.row(t, b0 + i) * H3;
        if (!active(i)) {
          zeroRow(H3, dgiRow(i));
          zeroRow(H3, dghRow);
        } else if (fused) {
          resetAfterBackwardRow(H, savedRow(i), dyRow(i), dh + i * H, dgiRow(i), dghRow);
        } else {
          resetAfterBackwardAny(H, candidate, gate, savedRow(i), dyRow(i), dh + i * H, dgiRow(i), dghRow);
        }
      }
      if (!team.sync() || !product(true, H3, dgh + p.row(t, b0) * H3, w.wHh, packed.all, dh)) return;
    } else {
      for (auto [i, end] = team.rows(rows); i < end; ++i) {
        if (!active(i)) zeroRow(H3, dgiRow(i));
        else if (fused) resetBeforeBackwardRowFirst(H, savedRow(i), dyRow(i), dh + i * H, dgiRow(i));
        else resetBeforeBackwardFirstAny(H, candidate, gate, savedRow(i), dyRow(i), dh + i * H, dgiRow(i));
      }
      if (!team.sync() || !product(false, H, dgiStep + 2 * H, w.wHh + 2 * H * H, packed.candidate, drh)) return;
      for (auto [i, end] = team.rows(rows); i < end; ++i) {
        if (!active(i)) continue;
        if (fused) resetBeforeBackwardRowSecond(H, savedRow(i), drh + i * H, dh + i * H, dgiRow(i));
        else resetBeforeBackwardSecondAny(H, savedRow(i), drh + i * H, dh + i * H, dgiRow(i));
      }
      if (!team.sync() || !product(true, 2 * H, dgiStep, w.wHh, packed.gates, dh)) return;
    }
  }
  if (a.dh0 && s0 == 0 && team.leads()) std::memcpy(a.dh0 + state, dh, sizeof(T) * rows * H);
}

// dW_ih += dGI^T X, dW_hh += dGH^T [h_prev rows] (reset-before: the n block pairs with r * h_prev
// instead), biases += column sums; for gate columns [g0, g1) of the 3H.
template <typename T>
void weightGradients(const GruPlan& p, const LayerDirectionGrads<T>& w, const T* saved, const T* x, int64_t inSize,
                     const T* dgi, const T* dgh, int64_t g0, int64_t g1) {
  const int64_t H = p.H, H3 = 3 * H, R = p.R, savedLd = p.savedLd();
  const T* hPrev = saved + GruPlan::SlotHPrev * H;
  blas::gemm(true, false, g1 - g0, inSize, R, T(1), dgi + g0, H3, x, inSize, T(1), w.dwIh + g0 * inSize, inSize);
  if (p.config.resetAfter) {
    blas::gemm(true, false, g1 - g0, H, R, T(1), dgh + g0, H3, hPrev, savedLd, T(1), w.dwHh + g0 * H, H);
  } else {
    // Gate columns [0, 2H) pair with h_prev, [2H, 3H) with r * h_prev.
    const int64_t split = std::clamp<int64_t>(2 * H, g0, g1);
    if (g0 < split) blas::gemm(true, false, split - g0, H, R, T(1), dgi + g0, H3, hPrev, savedLd, T(1), w.dwHh + g0 * H, H);
    if (split < g1) {
      blas::gemm(true, false, g1 - split, H, R, T(1), dgi + split, H3, saved + GruPlan::SlotHiddenN * H, savedLd, T(1),
                 w.dwHh + split * H, H);
    }
  }
  if (w.dbIh) {
    addColumnSums(R, g1 - g0, H3, dgi + g0, w.dbIh + g0);
    addColumnSums(R, g1 - g0, H3, (p.config.resetAfter ? dgh : dgi) + g0, w.dbHh + g0);
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

// The layer wavefront's backward (Note [GRU thread split]): chunk j of layer l (its reverse steps,
// the dX rows it passes down, and their dropout) needs chunk j of layer l + 1 and chunk j + 1 of
// layer l; each layer keeps its gate gradients in its own set, so its weight gradients (whole
// GEMMs, as in the layer-by-layer backward) run once its last chunk is done, alongside the
// layers below. Returns false, having run nothing, where the threads cannot be had side by side.
template <typename T>
bool backwardWavefront(const GruPlan& p, const GruBackwardArgs<T>& a, T* ws, int threads) {
  const GruConfig& c = p.config;
  const int64_t H3 = 3 * p.H, B = p.B, chunkSteps = p.waveChunkSteps(), chunks = p.waveChunks();
  T* dOut = ws + p.bwOutputGrads();
  const T* x0 = a.dweights ? maskedInput(p, a, ws) : nullptr;
  std::vector<LayerDirectionGrads<T>> grads;
  std::vector<PackedRecurrentGrads> packed;
  grads.reserve(p.L);
  for (int64_t l = 0; l < p.L; ++l) {
    grads.emplace_back(c, a.weights, a.dweights, l, 0);
    packed.push_back(packRecurrentGrads(p, grads.back(), ws, l));
  }
  auto gateGrads = [&](int64_t l) { return ws + p.bwGateGrads(l); };
  auto hiddenGateGrads = [&](int64_t l) { return c.resetAfter ? ws + p.bwHiddenGateGrads(l) : gateGrads(l); };

  auto runChunk = [&](int64_t l, int64_t j) {
    const int64_t s0 = j * chunkSteps, s1 = std::min(p.T, s0 + chunkSteps);
    const T* dy = l == p.L - 1 ? a.dy : dOut;
    recurrence(p, a, ws, grads[l], packed[l], l, 0, l, dy, gateGrads(l), hiddenGateGrads(l), 0, B, s0, s1);
    // The chunk's input gradient: dx for layer 0, else the layer below's dY, over this layer's
    // dY rows of the chunk, which its steps have consumed.
    T* dIn = l == 0 ? a.dx : dOut;
    if (!dIn) return;
    const int64_t inSize = c.layerInputSize(l);
    const T* wIh = a.weights + gruParamOffset(c, l, 0, GruParam::WeightIH);
    p.forStepRows(s0, s1, [&](int64_t first, int64_t count) {
      blas::gemm(false, false, count, inSize, H3, T(1), gateGrads(l) + first * H3, H3, wIh, inSize, T(0), dIn + first * inSize, inSize);
      if (l > 0 && c.dropoutActive()) applyGruDropout(c, l, dOut, p.layerOutputSize(), first * inSize, (first + count) * inSize);
    });
  };
  auto runWeightGradients = [&](int64_t l) {
    const T* x = l == 0 ? x0 : a.reserve + p.layerOutputOffset(l - 1);
    weightGradients(p, grads[l], a.reserve + p.savedOffset(l, 0), x, c.layerInputSize(l), gateGrads(l), hiddenGateGrads(l), 0, H3);
  };

  // Any thread runs any layer's next chunk: the layer it ran last when that is ready, else the
  // lowest ready one (furthest down the pipeline); a layer's weight gradients when nothing else is.
  WavefrontBoard board(p.L);  // chunks counted from the last one down
  std::vector<int64_t>& finished = board.finished;
  std::vector<char>& running = board.running;
  std::vector<char> weightsTaken(p.L, a.dweights ? 0 : 1);
  return runPartsSideBySide(threads, [&](int thread) {
    std::unique_lock<std::mutex> lock(board.completed.mutex());
    auto ready = [&](int64_t l) {
      return !running[l] && finished[l] < chunks && (l == p.L - 1 || finished[l + 1] > finished[l]);
    };
    int64_t last = p.L - 1 - thread;
    for (;;) {
      int64_t layer = last >= 0 && ready(last) ? last : -1;
      for (int64_t l = 0; l < p.L && layer < 0; ++l) {
        if (ready(l)) layer = l;
      }
      int64_t weightsOf = -1;
      bool allStarted = true;
      for (int64_t l = 0; l < p.L; ++l) {
        if (finished[l] + running[l] < chunks || !weightsTaken[l]) allStarted = false;
        if (weightsOf < 0 && !weightsTaken[l] && finished[l] == chunks) weightsOf = l;
      }
      if (layer < 0 && weightsOf >= 0) {
        weightsTaken[weightsOf] = 1;
        // A thread asleep with nothing left to take must see that everything is started now.
        board.completed.signal();
        lock.unlock();
        runWeightGradients(weightsOf);
        lock.lock();
        continue;
      }
      if (layer < 0) {
        if (allStarted) return;
        board.completed.awaitNext(lock);
        continue;
      }
      const int64_t j = chunks - 1 - finished[layer];
      last = layer;
      board.run(lock, layer, [&] { runChunk(layer, j); });
    }
  });
}

}  // namespace

template <typename T>
void gruBackward(const GruConfig& config, const GruBackwardArgs<T>& a) {
  const GruPlan p(config, a.threads);
  const ThreadSplit split(p, false);
  const int64_t H3 = 3 * p.H;
  T* ws = a.workspace;
  std::fill(ws + p.bwZeros(), ws + p.bwZeros() + p.H, T(0));
  if (split.wavefrontThreads() > 1 && backwardWavefront(p, a, ws, split.wavefrontThreads())) return;
  T* dOut = ws + p.bwOutputGrads();  // gradient of a lower layer's output (after dropout's backward)
  const T* dy = a.dy;
  for (int64_t l = p.L - 1; l >= 0; --l) {
    const int64_t inSize = config.layerInputSize(l);
    // Only the weight gradient reads the layer's input.
    const T* x = !a.dweights ? nullptr : l == 0 ? maskedInput(p, a, ws) : a.reserve + p.layerOutputOffset(l - 1);
    split.forDirections(p.D, [&](int64_t d, int64_t slot) {
      const LayerDirectionGrads<T> w(config, a.weights, a.dweights, l, d);
      T* dgi = ws + p.bwGateGrads(d);
      T* dgh = config.resetAfter ? ws + p.bwHiddenGateGrads(slot) : dgi;
      const PackedRecurrentGrads packed = packRecurrentGrads(p, w, ws, slot);
      split.forSteps(p.B, packed.all || packed.candidate, [&](int64_t b0, int64_t b1, StepTeam team) {
        recurrence(p, a, ws, w, packed, l, d, slot, dy, dgi, dgh, b0, b1, 0, p.T, team);
      });
      if (a.dweights) {
        const T* saved = a.reserve + p.savedOffset(l, d);
        split.forRows(H3, [&](int64_t g0, int64_t g1) { weightGradients(p, w, saved, x, inSize, dgi, dgh, g0, g1); });
      }
    });
    // The layer's input gradient: dx for layer 0 (when wanted), else the layer below's dY,
    // which may overwrite this layer's dY now that both directions have consumed it.
    T* dIn = l == 0 ? a.dx : dOut;
    if (dIn) {
      split.forRows(p.R, [&](int64_t r0, int64_t r1) {
        for (int64_t d = 0; d < p.D; ++d) {
          const T* wIh = a.weights + gruParamOffset(config, l, d, GruParam::WeightIH);
          blas::gemm(false, false, r1 - r0, inSize, H3, T(1), ws + p.bwGateGrads(d) + r0 * H3, H3, wIh, inSize,
                     d == 0 ? T(0) : T(1), dIn + r0 * inSize, inSize);
        }
      });
    }
    if (l > 0 && config.dropoutActive()) applyGruDropout(config, l, dOut, p.layerOutputSize());
    dy = dOut;
  }
}

template void gruBackward<float>(const GruConfig&, const GruBackwardArgs<float>&);
template void gruBackward<double>(const GruConfig&, const GruBackwardArgs<double>&);

}  // namespace cpu
}  // namespace gru
