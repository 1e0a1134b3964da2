// Geometry shared by the fast CPU GRU's forward and backward: where each (t, b) row lies in the
// x-shaped buffers, and where each saved block lies in the reserve and workspaces. Both passes
// must agree on these offsets, so they are computed in one place.
//
// Every sequence-shaped buffer (x, y, the saved gates, GI, dGI, layer outputs) keeps the user's
// row order: row(t, b) is t*B + b time-major, b*T + t batch-first. The input-side GEMMs treat all
// T*B rows alike, so the order never matters to them, and the rows of one step form a strided
// matrix (row stride stepStride(ld)) that the per-step GEMMs read in place.
//
// Reserve, per layer l, in order:
//   per direction d: saved[R x 5H], row = [r | z | n | hidden-n | h_prev], where hidden-n is
//     W_hn h_prev + b_hn (reset-after) or r * h_prev (reset-before)
//   when l < L-1: layer l's output after dropout, the input of layer l+1 [R x D*H]
// Padded steps hold zeros in every saved slot, so batched GEMMs over all rows add nothing there.
#pragma once
#include <cstdint>

#include "../ops/gru_layout.h"
#include "packed_gemm.h"

namespace gru {
namespace cpu {

struct GruPlan {
  // `threads`: how many the call may split over (Note [GRU thread split]), fixed when its
  // workspace is sized, so that the slots below exist only where a split can use them.
  GruPlan(const GruConfig& c, int threads)
      : config(c),
        threads(threads),
        T(c.seqLen),
        B(c.batch),
        H(c.hiddenSize),
        D(c.directions()),
        L(c.numLayers),
        R(c.seqLen * c.batch),
        batchFirst(c.batchFirst) {}

  static constexpr int64_t kSavedSlots = 5;
  enum Slot : int64_t { SlotR = 0, SlotZ = 1, SlotN = 2, SlotHiddenN = 3, SlotHPrev = 4 };

  const GruConfig& config;
  const int threads;
  const int64_t T, B, H, D, L, R;
  const bool batchFirst;

  int64_t row(int64_t t, int64_t b) const { return batchFirst ? b * T + t : t * B + b; }
  // f(first, count) over the runs of consecutive rows that steps [s0, s1) cover: one run
  // time-major, one per batch row batch-first.
  template <typename F>
  void forStepRows(int64_t s0, int64_t s1, F&& f) const {
    if (!batchFirst) {
      f(s0 * B, (s1 - s0) * B);
      return;
    }
    for (int64_t b = 0; b < B; ++b) f(b * T + s0, s1 - s0);
  }
  // Elements between row(t, b) and row(t, b + 1) in a buffer whose rows have `ld` elements.
  int64_t stepStride(int64_t ld) const { return (batchFirst ? T : 1) * ld; }
  int64_t savedLd() const { return kSavedSlots * H; }
  int64_t layerOutputSize() const { return R * D * H; }

  // ---- reserve
  int64_t savedSize() const { return R * savedLd(); }
  // Every layer but the last also keeps its output, so this is O(1) in l.
  int64_t layerReserveOffset(int64_t l) const { return l * D * savedSize() + (l < L ? l : L - 1) * layerOutputSize(); }
  int64_t savedOffset(int64_t l, int64_t d) const { return layerReserveOffset(l) + d * savedSize(); }
  int64_t layerOutputOffset(int64_t l) const { return layerReserveOffset(l) + D * savedSize(); }  // l < L-1
  int64_t reserveSize() const { return layerReserveOffset(L); }

  // ---- scratch slots. Each direction that runs needs its own per-step scratch; one slot serves
  // both when they run one after the other. A bidirectional call at 2+ threads whose batch is
  // too small to split (Note [GRU thread split]) may run its directions side by side, so it
  // gets a slot each.
  static constexpr int64_t kSmallestSplitBatch = 8;
  int64_t scratchSlots() const { return threads >= 2 && D == 2 && B < kSmallestSplitBatch ? 2 : 1; }

  // One direction's per-step scratch from offset `base`, for GI rows `giRows`:
  // GI [giRows x 3H] | gh [B x 3H] | h [B x H] | rh [B x H] | folded bias [3H].
  struct StepSlot {
    int64_t gates, hidden, state, resetState, foldedBias, end;
  };
  StepSlot stepSlot(int64_t base, int64_t giRows) const {
    const int64_t hidden = base + giRows * 3 * H, state = hidden + B * 3 * H, resetState = state + B * H;
    return {base, hidden, state, resetState, resetState + B * H, resetState + B * H + 3 * H};
  }

  // ---- forward workspace: per slot s: a step slot with GI for all R rows; then zeros [H] |
  //      inference layer outputs [min(L-1, 2) x R*D*H] | the wavefront's layer slots (below) |
  //      per slot: packed W_hh (Note [Packed recurrent weights]), last so that a call with an
  //      inference copy can leave it out.
  StepSlot fwSlot(int64_t s) const { return stepSlot(s * stepSlot(0, R).end, R); }
  int64_t fwZeros() const { return fwSlot(scratchSlots()).gates; }
  int64_t fwLayerBuffers() const { return fwZeros() + H; }
  int64_t inferenceLayerBuffers() const { return L - 1 < 2 ? L - 1 : 2; }

  // ---- the layer wavefront's slots (Note [GRU thread split]): a one-direction stack of 2-7 rows
  // at 2+ threads may run its layers side by side over chunks of steps, so each layer gets a
  // slot whose GI holds one chunk, its rows in time-major order whatever the user's layout.
  // Its backward keeps a set of gate gradients (and for reset-after a dGH set) per layer instead
  // of one: past 2^23 elements more (32 MiB in float32; batch 4, 1000 steps, 4 layers of hidden
  // 512 would take 147 MB more) the layers run one after another instead, each on a team of
  // threads (step_team.h), which was about as fast where the steps are that large.
  static constexpr int64_t kWavefrontChunks = 16;
  static constexpr int64_t kMaxWavefrontExtra = int64_t(1) << 23;
  int64_t wavefrontExtra() const { return (L - 1) * R * 3 * H * (config.resetAfter ? 2 : 1); }
  bool wavefrontShape() const {
    return D == 1 && L >= 2 && B >= 2 && B < kSmallestSplitBatch && T >= 2 && wavefrontExtra() <= kMaxWavefrontExtra;
  }
  int64_t waveChunkSteps() const { return (T + kWavefrontChunks - 1) / kWavefrontChunks; }
  int64_t waveChunks() const { return (T + waveChunkSteps() - 1) / waveChunkSteps(); }
  int64_t waveSlots() const { return threads >= 2 && wavefrontShape() ? L : 0; }
  // Layer l's step slot, with GI for one chunk.
  StepSlot waveSlot(int64_t l) const {
    const int64_t start = fwLayerBuffers() + inferenceLayerBuffers() * layerOutputSize(), giRows = waveChunkSteps() * B;
    return stepSlot(start + l * stepSlot(0, giRows).end, giRows);
  }

  // Packed W_hh per slot (or per wavefront layer), last.
  int64_t packedSlots() const { return scratchSlots() > waveSlots() ? scratchSlots() : waveSlots(); }
  int64_t fwPackedSize() const { return packedSize(3 * H, H) + packedSize(H, H); }
  int64_t fwPackedWeights(int64_t s) const { return waveSlot(waveSlots()).gates + s * fwPackedSize(); }
  int64_t forwardWorkspaceSize() const { return fwPackedWeights(packedSlots()); }
  int64_t inferenceCopyWorkspaceSize() const { return fwPackedWeights(0); }

  // ---- backward workspace: dGI [sets x R x 3H] | per slot s: dGH [R x 3H] (reset-after) |
  //      dh [B x H] | drh [B x H] | packed W_hh for dh | then zeros [H] | dY [R x D*H] (L > 1) |
  //      x with padded rows zeroed [R x I]. A set of gate gradients per direction, or per layer
  //      for the wavefront (each layer's stay until its weight gradients are taken); a slot per
  //      packedSlots().
  int64_t bwGateGradSets() const { return waveSlots() > 0 ? L : D; }
  int64_t bwGateGrads(int64_t set) const { return set * R * 3 * H; }
  int64_t bwSlotSize() const { return (config.resetAfter ? R * 3 * H : 0) + 2 * B * H + packedSize(H, 3 * H); }
  int64_t bwHiddenGateGrads(int64_t s) const { return bwGateGrads(bwGateGradSets()) + s * bwSlotSize(); }
  int64_t bwState(int64_t s) const { return bwHiddenGateGrads(s) + (config.resetAfter ? R * 3 * H : 0); }
  int64_t bwResetState(int64_t s) const { return bwState(s) + B * H; }
  int64_t bwPackedWeights(int64_t s) const { return bwResetState(s) + B * H; }
  int64_t bwZeros() const { return bwHiddenGateGrads(packedSlots()); }
  int64_t bwOutputGrads() const { return bwZeros() + H; }
  int64_t bwMaskedInput() const { return bwOutputGrads() + (L > 1 ? layerOutputSize() : 0); }
  int64_t backwardWorkspaceSize() const { return bwMaskedInput() + R * config.inputSize; }
};

}  // namespace cpu
}  // namespace gru
