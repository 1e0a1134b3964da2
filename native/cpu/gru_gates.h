// The fused pointwise parts of one GRU step for one batch row, between the GEMMs. Each is a
// single loop over the H hidden units with restrict pointers and no branches, so GCC vectorises
// it; everything a step needs for a row is read and written in that one pass. They are inlined
// into each variant of the loops that call them (Note [CPU kernel variants]).
//
// Forward inputs per row: gi = [x W_ir + biases | x W_iz + biases | x W_in + biases] (all biases
// of the r and z gates, and for reset-before also b_hn, are folded into gi) and gh = h_prev W_hh^T
// without bias. `saved` is the row's reserve entry [r | z | n | hidden-n | h_prev] (gru_plan.h).
// Backward follows docs/gru.md, "CPU backward"; the reset-before derivation is spelt out below.
#pragma once
#include <cstdint>

#include "../ops/gru_activations.h"
#include "activations.h"
#include "kernel_targets.h"
#include "gru_plan.h"

namespace gru {
namespace cpu {

// ---- forward

// A row's reserve entry is [r | z | n | hidden-n | h_prev] (gru_plan.h). The gate loops write
// it through five restrict pointers, one per slot: through one pointer, saved[slot * H + j],
// GCC cannot tell the slots apart (H is unknown), versions the loop on a run-time overlap test
// that adjacent slots fail, and the recorded forward ran the scalar copy of the loop (1.5-1.9x
// the inference time at every shape).
#define GRU_SAVED_SLOTS(saved, H)                                                                            \
  (saved) + GruPlan::SlotR * (H), (saved) + GruPlan::SlotZ * (H), (saved) + GruPlan::SlotN * (H),           \
      (saved) + GruPlan::SlotHiddenN * (H), (saved) + GruPlan::SlotHPrev * (H)

// The last pass of a step with any activations: h = n + z (h_prev - n), y = h, the reserve row.
template <bool Save, typename T>
GRU_ALWAYS_INLINE void finishStepSlots(int64_t H, const T* __restrict r, const T* __restrict z, const T* __restrict n,
                                       const T* __restrict hiddenN, T* __restrict h, T* __restrict y, T* __restrict savedR,
                                       T* __restrict savedZ, T* __restrict savedN, T* __restrict savedHiddenN, T* __restrict savedHPrev) {
  for (int64_t j = 0; j < H; ++j) {
    const T hPrev = h[j];
    const T hNew = n[j] + z[j] * (hPrev - n[j]);
    h[j] = hNew;
    y[j] = hNew;
    if constexpr (Save) {
      savedR[j] = r[j];
      savedZ[j] = z[j];
      savedN[j] = n[j];
      savedHiddenN[j] = hiddenN[j];
      savedHPrev[j] = hPrev;
    }
  }
}

template <bool Save, typename T>
GRU_ALWAYS_INLINE void finishStepRow(int64_t H, const T* __restrict r, const T* __restrict z, const T* __restrict n,
                                     const T* __restrict hiddenN, T* __restrict h, T* __restrict y, T* __restrict saved) {
  if constexpr (Save) finishStepSlots<true>(H, r, z, n, hiddenN, h, y, GRU_SAVED_SLOTS(saved, H));
  else finishStepSlots<false, T>(H, r, z, n, hiddenN, h, y, nullptr, nullptr, nullptr, nullptr, nullptr);
}

// Reset-after: n = tanh(gi_n + r * (gh_n + b_hn)). Updates h in place, writes y.
template <bool Save, typename T>
GRU_ALWAYS_INLINE void resetAfterStepSlots(int64_t H, const T* __restrict gi, const T* __restrict gh, const T* __restrict bhn,
                                           T* __restrict h, T* __restrict y, T* __restrict savedR, T* __restrict savedZ,
                                           T* __restrict savedN, T* __restrict savedHiddenN, T* __restrict savedHPrev) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = act::sigmoid(gi[j] + gh[j]);
    const T z = act::sigmoid(gi[H + j] + gh[H + j]);
    const T hiddenN = gh[2 * H + j] + bhn[j];
    const T n = act::tanh(gi[2 * H + j] + r * hiddenN);
    const T hPrev = h[j];
    const T hNew = n + z * (hPrev - n);
    h[j] = hNew;
    y[j] = hNew;
    if constexpr (Save) {
      savedR[j] = r;
      savedZ[j] = z;
      savedN[j] = n;
      savedHiddenN[j] = hiddenN;
      savedHPrev[j] = hPrev;
    }
  }
}

template <bool Save, typename T>
GRU_ALWAYS_INLINE void resetAfterStepRow(int64_t H, const T* __restrict gi, const T* __restrict gh, const T* __restrict bhn,
                                         T* __restrict h, T* __restrict y, T* __restrict saved) {
  if constexpr (Save) resetAfterStepSlots<true>(H, gi, gh, bhn, h, y, GRU_SAVED_SLOTS(saved, H));
  else resetAfterStepSlots<false, T>(H, gi, gh, bhn, h, y, nullptr, nullptr, nullptr, nullptr, nullptr);
}

// Reset-before, first half: r and z overwrite gh's r and z blocks (gh is per-step scratch), and
// rh = r * h_prev feeds the n-block GEMM.
template <typename T>
GRU_ALWAYS_INLINE void resetBeforeGatesBlocks(int64_t H, const T* __restrict gi, T* __restrict ghR, T* __restrict ghZ,
                                              const T* __restrict h, T* __restrict rh) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = act::sigmoid(gi[j] + ghR[j]);
    ghR[j] = r;
    ghZ[j] = act::sigmoid(gi[H + j] + ghZ[j]);
    rh[j] = r * h[j];
  }
}

template <typename T>
GRU_ALWAYS_INLINE void resetBeforeGatesRow(int64_t H, const T* __restrict gi, T* __restrict gh, const T* __restrict h,
                                           T* __restrict rh) {
  resetBeforeGatesBlocks(H, gi, gh, gh + H, h, rh);
}

// Reset-before, second half: gh = [r | z | (r * h_prev) W_hn^T].
template <bool Save, typename T>
GRU_ALWAYS_INLINE void resetBeforeStepSlots(int64_t H, const T* __restrict gi, const T* __restrict gh, const T* __restrict rh,
                                            T* __restrict h, T* __restrict y, T* __restrict savedR, T* __restrict savedZ,
                                            T* __restrict savedN, T* __restrict savedHiddenN, T* __restrict savedHPrev) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = gh[j];
    const T z = gh[H + j];
    const T n = act::tanh(gi[2 * H + j] + gh[2 * H + j]);
    const T hPrev = h[j];
    const T hNew = n + z * (hPrev - n);
    h[j] = hNew;
    y[j] = hNew;
    if constexpr (Save) {
      savedR[j] = r;
      savedZ[j] = z;
      savedN[j] = n;
      savedHiddenN[j] = rh[j];
      savedHPrev[j] = hPrev;
    }
  }
}

template <bool Save, typename T>
GRU_ALWAYS_INLINE void resetBeforeStepRow(int64_t H, const T* __restrict gi, const T* __restrict gh, const T* __restrict rh,
                                          T* __restrict h, T* __restrict y, T* __restrict saved) {
  if constexpr (Save) resetBeforeStepSlots<true>(H, gi, gh, rh, h, y, GRU_SAVED_SLOTS(saved, H));
  else resetBeforeStepSlots<false, T>(H, gi, gh, rh, h, y, nullptr, nullptr, nullptr, nullptr, nullptr);
}

// A padded step: the state stays, the output is 0, and the saved row is zeros so that the
// batched weight-gradient GEMMs add nothing for it.
template <bool Save, typename T>
GRU_ALWAYS_INLINE void paddedStepRow(int64_t H, T* __restrict y, T* __restrict saved) {
  for (int64_t j = 0; j < H; ++j) y[j] = T(0);
  if constexpr (Save) {
    for (int64_t j = 0; j < GruPlan::kSavedSlots * H; ++j) saved[j] = T(0);
  }
}

// ---- backward
// In: dh (the running gradient of h_t, updated in place to the pointwise part of dh_{t-1}) and
// dy (this step's output gradient row). Out: dgi = d(gi), dgh = d(gh) for the batched GEMMs.

// Reset-after: dGI = [da_r, da_z, da_n], dGH = [da_r, da_z, da_n * r], dh_{t-1} = dh * z + dGH W_hh.
template <typename T>
GRU_ALWAYS_INLINE void resetAfterBackwardBlocks(int64_t H, const T* __restrict saved, const T* __restrict dy, T* __restrict dh,
                                                T* __restrict dgiR, T* __restrict dgiZ, T* __restrict dgiN, T* __restrict dghR,
                                                T* __restrict dghZ, T* __restrict dghN) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = saved[GruPlan::SlotR * H + j];
    const T z = saved[GruPlan::SlotZ * H + j];
    const T n = saved[GruPlan::SlotN * H + j];
    const T hiddenN = saved[GruPlan::SlotHiddenN * H + j];
    const T hPrev = saved[GruPlan::SlotHPrev * H + j];
    const T grad = dh[j] + dy[j];
    const T daN = grad * (T(1) - z) * (T(1) - n * n);
    const T daZ = grad * (hPrev - n) * z * (T(1) - z);
    const T daR = daN * hiddenN * r * (T(1) - r);
    dgiR[j] = daR;
    dgiZ[j] = daZ;
    dgiN[j] = daN;
    dghR[j] = daR;
    dghZ[j] = daZ;
    dghN[j] = daN * r;
    dh[j] = grad * z;
  }
}

// The gate blocks of dGI and dGH as separate restrict pointers (see the forward's saved slots).
template <typename T>
GRU_ALWAYS_INLINE void resetAfterBackwardRow(int64_t H, const T* __restrict saved, const T* __restrict dy, T* __restrict dh,
                                             T* __restrict dgi, T* __restrict dgh) {
  resetAfterBackwardBlocks(H, saved, dy, dh, dgi, dgi + H, dgi + 2 * H, dgh, dgh + H, dgh + 2 * H);
}

// Reset-before: a_n = gi_n + (r * h_prev) W_hn^T, so with drh = da_n W_hn (a GEMM between the
// two halves): da_r = drh * h_prev * r (1 - r) and dh_{t-1} = dh * z + drh * r + [da_r, da_z] W_h{r,z}.
// The hidden-side gate gradients equal the input-side ones, so dGI serves both.
template <typename T>
GRU_ALWAYS_INLINE void resetBeforeBackwardFirstBlocks(int64_t H, const T* __restrict saved, const T* __restrict dy, T* __restrict dh,
                                                      T* __restrict dgiZ, T* __restrict dgiN) {
  for (int64_t j = 0; j < H; ++j) {
    const T z = saved[GruPlan::SlotZ * H + j];
    const T n = saved[GruPlan::SlotN * H + j];
    const T hPrev = saved[GruPlan::SlotHPrev * H + j];
    const T grad = dh[j] + dy[j];
    dgiZ[j] = grad * (hPrev - n) * z * (T(1) - z);
    dgiN[j] = grad * (T(1) - z) * (T(1) - n * n);
    dh[j] = grad * z;
  }
}

template <typename T>
GRU_ALWAYS_INLINE void resetBeforeBackwardRowFirst(int64_t H, const T* __restrict saved, const T* __restrict dy, T* __restrict dh,
                                                   T* __restrict dgi) {
  resetBeforeBackwardFirstBlocks(H, saved, dy, dh, dgi + H, dgi + 2 * H);
}

template <typename T>
GRU_ALWAYS_INLINE void resetBeforeBackwardRowSecond(int64_t H, const T* __restrict saved, const T* __restrict drh,
                                         T* __restrict dh, T* __restrict dgi) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = saved[GruPlan::SlotR * H + j];
    const T hPrev = saved[GruPlan::SlotHPrev * H + j];
    dgi[j] = drh[j] * hPrev * r * (T(1) - r);
    dh[j] += drh[j] * r;
  }
}

// ---- any activations (Note [GRU config fields]): the fused loops above are for the default
// pair, tanh and sigmoid. Other pairs run each row in passes, one vectorised loop per pass with
// the activation chosen outside it: pre-activations, activation in place, the state update.

// x = f(x) over n values; float tanh and sigmoid take the fast forms the fused loops use.
template <typename T>
GRU_ALWAYS_INLINE void activateInPlace(GruActivation kind, T* __restrict x, int64_t n) {
  switch (kind) {
    case GruActivation::Tanh:
      for (int64_t j = 0; j < n; ++j) x[j] = act::tanh(x[j]);
      return;
    case GruActivation::Sigmoid:
      for (int64_t j = 0; j < n; ++j) x[j] = act::sigmoid(x[j]);
      return;
    case GruActivation::Relu:
      for (int64_t j = 0; j < n; ++j) x[j] = activationValue(GruActivation::Relu, x[j]);
      return;
    case GruActivation::Linear:
      return;
    case GruActivation::HardSigmoid:
      for (int64_t j = 0; j < n; ++j) x[j] = activationValue(GruActivation::HardSigmoid, x[j]);
      return;
    case GruActivation::HardSigmoidTfjs:
      for (int64_t j = 0; j < n; ++j) x[j] = activationValue(GruActivation::HardSigmoidTfjs, x[j]);
      return;
  }
}

// out = f'(at y) over n values.
template <typename T>
GRU_ALWAYS_INLINE void slopesOf(GruActivation kind, const T* __restrict y, T* __restrict out, int64_t n) {
  switch (kind) {
#define GRU_SLOPE_CASE(name, value, js) \
  case GruActivation::name:             \
    for (int64_t j = 0; j < n; ++j) out[j] = activationSlope(GruActivation::name, y[j]); \
    return;
    GRU_ACTIVATIONS(GRU_SLOPE_CASE)
#undef GRU_SLOPE_CASE
  }
}

template <typename T>
GRU_ALWAYS_INLINE void addInto(int64_t n, const T* __restrict a, T* __restrict b) {
  for (int64_t j = 0; j < n; ++j) b[j] += a[j];
}

// Reset-after with any activations. gh (this row's recurrent product, per-step scratch) ends as
// [r | z | hidden-n]; `n` is H values of scratch.
template <bool Save, typename T>
GRU_ALWAYS_INLINE void resetAfterStepAny(int64_t H, GruActivation candidate, GruActivation gate, const T* __restrict gi, T* __restrict gh,
                                         const T* __restrict bhn, T* __restrict n, T* __restrict h, T* __restrict y,
                                         T* __restrict saved) {
  addInto(2 * H, gi, gh);
  activateInPlace(gate, gh, 2 * H);
  T* __restrict hiddenN = gh + 2 * H;
  for (int64_t j = 0; j < H; ++j) {
    hiddenN[j] += bhn[j];
    n[j] = gi[2 * H + j] + gh[j] * hiddenN[j];
  }
  activateInPlace(candidate, n, H);
  finishStepRow<Save>(H, gh, gh + H, n, hiddenN, h, y, saved);
}

// Reset-before with any activations, first half: gh's r and z blocks become the gates and
// rh = r * h_prev.
template <typename T>
GRU_ALWAYS_INLINE void resetBeforeGatesAny(int64_t H, GruActivation gate, const T* __restrict gi, T* __restrict gh,
                                           const T* __restrict h, T* __restrict rh) {
  addInto(2 * H, gi, gh);
  activateInPlace(gate, gh, 2 * H);
  for (int64_t j = 0; j < H; ++j) rh[j] = gh[j] * h[j];
}

// Second half: gh's n block (the product with r * h_prev) becomes n.
template <bool Save, typename T>
GRU_ALWAYS_INLINE void resetBeforeStepAny(int64_t H, GruActivation candidate, const T* __restrict gi, T* __restrict gh,
                                          const T* __restrict rh, T* __restrict h, T* __restrict y, T* __restrict saved) {
  T* __restrict n = gh + 2 * H;
  addInto(H, gi + 2 * H, n);
  activateInPlace(candidate, n, H);
  finishStepRow<Save>(H, gh, gh + H, n, rh, h, y, saved);
}

// Reset-after backward with any activations: the slopes go into dgi first (scratch it
// overwrites), then the fused gradient loop uses them.
template <typename T>
GRU_ALWAYS_INLINE void resetAfterBackwardAny(int64_t H, GruActivation candidate, GruActivation gate, const T* __restrict saved,
                                             const T* __restrict dy, T* __restrict dh, T* __restrict dgi, T* __restrict dgh) {
  T* __restrict slopeR = dgi;
  T* __restrict slopeZ = dgi + H;
  T* __restrict slopeN = dgi + 2 * H;
  slopesOf(gate, saved + GruPlan::SlotR * H, slopeR, H);
  slopesOf(gate, saved + GruPlan::SlotZ * H, slopeZ, H);
  slopesOf(candidate, saved + GruPlan::SlotN * H, slopeN, H);
  for (int64_t j = 0; j < H; ++j) {
    const T r = saved[GruPlan::SlotR * H + j];
    const T z = saved[GruPlan::SlotZ * H + j];
    const T n = saved[GruPlan::SlotN * H + j];
    const T hiddenN = saved[GruPlan::SlotHiddenN * H + j];
    const T hPrev = saved[GruPlan::SlotHPrev * H + j];
    const T grad = dh[j] + dy[j];
    const T daN = grad * (T(1) - z) * slopeN[j];
    const T daZ = grad * (hPrev - n) * slopeZ[j];
    const T daR = daN * hiddenN * slopeR[j];
    slopeR[j] = daR;
    slopeZ[j] = daZ;
    slopeN[j] = daN;
    dgh[j] = daR;
    dgh[H + j] = daZ;
    dgh[2 * H + j] = daN * r;
    dh[j] = grad * z;
  }
}

// Reset-before backward with any activations, first half; leaves r's slope in dgi's r block for
// the second half.
template <typename T>
GRU_ALWAYS_INLINE void resetBeforeBackwardFirstAny(int64_t H, GruActivation candidate, GruActivation gate, const T* __restrict saved,
                                                   const T* __restrict dy, T* __restrict dh, T* __restrict dgi) {
  T* __restrict slopeR = dgi;
  T* __restrict slopeZ = dgi + H;
  T* __restrict slopeN = dgi + 2 * H;
  slopesOf(gate, saved + GruPlan::SlotR * H, slopeR, H);
  slopesOf(gate, saved + GruPlan::SlotZ * H, slopeZ, H);
  slopesOf(candidate, saved + GruPlan::SlotN * H, slopeN, H);
  for (int64_t j = 0; j < H; ++j) {
    const T z = saved[GruPlan::SlotZ * H + j];
    const T n = saved[GruPlan::SlotN * H + j];
    const T hPrev = saved[GruPlan::SlotHPrev * H + j];
    const T grad = dh[j] + dy[j];
    slopeZ[j] = grad * (hPrev - n) * slopeZ[j];
    slopeN[j] = grad * (T(1) - z) * slopeN[j];
    dh[j] = grad * z;
  }
}

template <typename T>
GRU_ALWAYS_INLINE void resetBeforeBackwardSecondAny(int64_t H, const T* __restrict saved, const T* __restrict drh, T* __restrict dh,
                                                    T* __restrict dgi) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = saved[GruPlan::SlotR * H + j];
    const T hPrev = saved[GruPlan::SlotHPrev * H + j];
    dgi[j] = drh[j] * hPrev * dgi[j];
    dh[j] += drh[j] * r;
  }
}

template <typename T>
GRU_ALWAYS_INLINE void zeroRow(int64_t n, T* __restrict row) {
  for (int64_t j = 0; j < n; ++j) row[j] = T(0);
}

}  // namespace cpu
}  // namespace gru
