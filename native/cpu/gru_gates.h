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

#include "activations.h"
#include "kernel_targets.h"
#include "gru_plan.h"

namespace gru {
namespace cpu {

// ---- forward

// Unit j of a row's reserve entry [r | z | n | hidden-n | h_prev] (gru_plan.h). Always inlined:
// a plain `inline` helper is not inlined into the multiversioned callers (Note [CPU kernel
// variants]), and the call per unit stops the loop vectorising (S training step 126 -> 170 ms).
template <typename T>
GRU_ALWAYS_INLINE void saveRow(int64_t H, int64_t j, T* __restrict saved, T r, T z, T n, T hiddenN, T hPrev) {
  saved[GruPlan::SlotR * H + j] = r;
  saved[GruPlan::SlotZ * H + j] = z;
  saved[GruPlan::SlotN * H + j] = n;
  saved[GruPlan::SlotHiddenN * H + j] = hiddenN;
  saved[GruPlan::SlotHPrev * H + j] = hPrev;
}

// Reset-after: n = tanh(gi_n + r * (gh_n + b_hn)). Updates h in place, writes y.
template <bool Save, typename T>
GRU_ALWAYS_INLINE void resetAfterStepRow(int64_t H, const T* __restrict gi, const T* __restrict gh, const T* __restrict bhn,
                              T* __restrict h, T* __restrict y, T* __restrict saved) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = act::sigmoid(gi[j] + gh[j]);
    const T z = act::sigmoid(gi[H + j] + gh[H + j]);
    const T hiddenN = gh[2 * H + j] + bhn[j];
    const T n = act::tanh(gi[2 * H + j] + r * hiddenN);
    const T hPrev = h[j];
    const T hNew = n + z * (hPrev - n);
    h[j] = hNew;
    y[j] = hNew;
    if constexpr (Save) saveRow(H, j, saved, r, z, n, hiddenN, hPrev);
  }
}

// Reset-before, first half: r and z overwrite gh's r and z blocks (gh is per-step scratch), and
// rh = r * h_prev feeds the n-block GEMM.
template <typename T>
GRU_ALWAYS_INLINE void resetBeforeGatesRow(int64_t H, const T* __restrict gi, T* __restrict gh, const T* __restrict h,
                                T* __restrict rh) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = act::sigmoid(gi[j] + gh[j]);
    gh[j] = r;
    gh[H + j] = act::sigmoid(gi[H + j] + gh[H + j]);
    rh[j] = r * h[j];
  }
}

// Reset-before, second half: gh = [r | z | (r * h_prev) W_hn^T].
template <bool Save, typename T>
GRU_ALWAYS_INLINE void resetBeforeStepRow(int64_t H, const T* __restrict gi, const T* __restrict gh, const T* __restrict rh,
                               T* __restrict h, T* __restrict y, T* __restrict saved) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = gh[j];
    const T z = gh[H + j];
    const T n = act::tanh(gi[2 * H + j] + gh[2 * H + j]);
    const T hPrev = h[j];
    const T hNew = n + z * (hPrev - n);
    h[j] = hNew;
    y[j] = hNew;
    if constexpr (Save) saveRow(H, j, saved, r, z, n, rh[j], hPrev);
  }
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
GRU_ALWAYS_INLINE void resetAfterBackwardRow(int64_t H, const T* __restrict saved, const T* __restrict dy, T* __restrict dh,
                                  T* __restrict dgi, T* __restrict dgh) {
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
    dgi[j] = daR;
    dgi[H + j] = daZ;
    dgi[2 * H + j] = daN;
    dgh[j] = daR;
    dgh[H + j] = daZ;
    dgh[2 * H + j] = daN * r;
    dh[j] = grad * z;
  }
}

// Reset-before: a_n = gi_n + (r * h_prev) W_hn^T, so with drh = da_n W_hn (a GEMM between the
// two halves): da_r = drh * h_prev * r (1 - r) and dh_{t-1} = dh * z + drh * r + [da_r, da_z] W_h{r,z}.
// The hidden-side gate gradients equal the input-side ones, so dGI serves both.
template <typename T>
GRU_ALWAYS_INLINE void resetBeforeBackwardRowFirst(int64_t H, const T* __restrict saved, const T* __restrict dy, T* __restrict dh,
                                        T* __restrict dgi) {
  for (int64_t j = 0; j < H; ++j) {
    const T z = saved[GruPlan::SlotZ * H + j];
    const T n = saved[GruPlan::SlotN * H + j];
    const T hPrev = saved[GruPlan::SlotHPrev * H + j];
    const T grad = dh[j] + dy[j];
    dgi[H + j] = grad * (hPrev - n) * z * (T(1) - z);
    dgi[2 * H + j] = grad * (T(1) - z) * (T(1) - n * n);
    dh[j] = grad * z;
  }
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

template <typename T>
GRU_ALWAYS_INLINE void zeroRow(int64_t n, T* __restrict row) {
  for (int64_t j = 0; j < n; ++j) row[j] = T(0);
}

}  // namespace cpu
}  // namespace gru
