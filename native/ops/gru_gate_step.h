// One GRU step's gates for one element (row b, unit j), shared by the CPU loops and the CUDA
// kernels of the gruGates ops (the step loop lib/ops/gru-loop.ts runs them where the
// whole-sequence kernels cannot: every activation form on CUDA). Projections are in gate order
// r, z, n: gi = x W_ih^T + b_ih [B, 3H], and gh the recurrent one.
//
// Reset-after (one pass): gh = h W_hh^T + b_hh [B, 3H]; the forward saves r, z, n and gh_n per
// element ([B, 4H]), all the backward needs besides h.
//
// Reset-before (two passes around the n block's GEMM): the reset pass turns ghRZ = h W_rz^T + b_rz
// [B, 2H] into gates = [r, z, r h] [B, 3H]; the caller multiplies r h by W_n; the update pass turns
// ghN [B, H] and gates into h', saving n [B, H].
#pragma once
#include <stdint.h>

#include "gru_activations.h"
#include "host_device.h"

namespace gru {

template <typename T>
GRU_HOST_DEVICE GRU_INLINE void gruGateStepForward(GruActivation candidate, GruActivation gate, int64_t H, int64_t b, int64_t j,
                                                   const T* gi, const T* gh, const T* h, T* hNew, T* saved) {
  const T* giRow = gi + b * 3 * H;
  const T* ghRow = gh + b * 3 * H;
  const T r = activationValue(gate, giRow[j] + ghRow[j]);
  const T z = activationValue(gate, giRow[H + j] + ghRow[H + j]);
  const T ghn = ghRow[2 * H + j];
  const T n = activationValue(candidate, giRow[2 * H + j] + r * ghn);
  const T hPrev = h[b * H + j];
  // (1 - z) n + z h
  hNew[b * H + j] = n + z * (hPrev - n);
  T* s = saved + b * 4 * H;
  s[j] = r;
  s[H + j] = z;
  s[2 * H + j] = n;
  s[3 * H + j] = ghn;
}

// dgi and dgh [B, 3H] (equal but for the n block, where dgh_n = dgi_n * r) and dh [B, H] (the
// direct path z * dhNew; the path through gh is the caller's GEMM backward), from dhNew.
template <typename T>
GRU_HOST_DEVICE GRU_INLINE void gruGateStepBackward(GruActivation candidate, GruActivation gate, int64_t H, int64_t b, int64_t j,
                                                    const T* saved, const T* h, const T* dhNew, T* dgi, T* dgh, T* dh) {
  const T* s = saved + b * 4 * H;
  const T r = s[j], z = s[H + j], n = s[2 * H + j], ghn = s[3 * H + j];
  const T g = dhNew[b * H + j];
  const T hPrev = h[b * H + j];
  const T dn = g * (T(1) - z);
  const T dz = g * (hPrev - n);
  const T dan = dn * activationSlope(candidate, n);
  const T daz = dz * activationSlope(gate, z);
  const T dar = dan * ghn * activationSlope(gate, r);
  T* dgiRow = dgi + b * 3 * H;
  T* dghRow = dgh + b * 3 * H;
  dgiRow[j] = dar;
  dghRow[j] = dar;
  dgiRow[H + j] = daz;
  dghRow[H + j] = daz;
  dgiRow[2 * H + j] = dan;
  dghRow[2 * H + j] = dan * r;
  dh[b * H + j] = g * z;
}

template <typename T>
GRU_HOST_DEVICE GRU_INLINE void gruResetPassForward(GruActivation gate, int64_t H, int64_t b, int64_t j, const T* gi, const T* ghRZ, const T* h,
                                                    T* gates) {
  const T r = activationValue(gate, gi[b * 3 * H + j] + ghRZ[b * 2 * H + j]);
  const T z = activationValue(gate, gi[b * 3 * H + H + j] + ghRZ[b * 2 * H + H + j]);
  T* g = gates + b * 3 * H;
  g[j] = r;
  g[H + j] = z;
  g[2 * H + j] = r * h[b * H + j];
}

// dgi [B, 3H] (its n block zero: the update pass owns it), dghRZ [B, 2H] and the direct dh [B, H]
// (r * d(r h)) from dGates [B, 3H] (the z block from the update pass, the r h block from the GEMM).
template <typename T>
GRU_HOST_DEVICE GRU_INLINE void gruResetPassBackward(GruActivation gate, int64_t H, int64_t b, int64_t j, const T* gates, const T* h,
                                                     const T* dGates, T* dgi, T* dghRZ, T* dh) {
  const T* g = gates + b * 3 * H;
  const T* d = dGates + b * 3 * H;
  const T r = g[j], z = g[H + j];
  const T dr = d[j] + d[2 * H + j] * h[b * H + j];
  const T dar = dr * activationSlope(gate, r);
  const T daz = d[H + j] * activationSlope(gate, z);
  dgi[b * 3 * H + j] = dar;
  dgi[b * 3 * H + H + j] = daz;
  dgi[b * 3 * H + 2 * H + j] = T(0);
  dghRZ[b * 2 * H + j] = dar;
  dghRZ[b * 2 * H + H + j] = daz;
  dh[b * H + j] = d[2 * H + j] * r;
}

template <typename T>
GRU_HOST_DEVICE GRU_INLINE void gruUpdatePassForward(GruActivation candidate, int64_t H, int64_t b, int64_t j, const T* gi, const T* ghN,
                                                     const T* gates, const T* h, T* hNew, T* savedN) {
  const T n = activationValue(candidate, gi[b * 3 * H + 2 * H + j] + ghN[b * H + j]);
  const T z = gates[b * 3 * H + H + j];
  hNew[b * H + j] = n + z * (h[b * H + j] - n);
  savedN[b * H + j] = n;
}

// dgi [B, 3H] (only its n block: the reset pass owns the others), dghN [B, H], dGates [B, 3H]
// (only its z block) and the direct dh [B, H] (z dh'), from dhNew.
template <typename T>
GRU_HOST_DEVICE GRU_INLINE void gruUpdatePassBackward(GruActivation candidate, int64_t H, int64_t b, int64_t j, const T* gates, const T* h,
                                                      const T* savedN, const T* dhNew, T* dgi, T* dghN, T* dGates, T* dh) {
  const T z = gates[b * 3 * H + H + j], n = savedN[b * H + j];
  const T g = dhNew[b * H + j];
  const T dan = g * (T(1) - z) * activationSlope(candidate, n);
  dgi[b * 3 * H + j] = T(0);
  dgi[b * 3 * H + H + j] = T(0);
  dgi[b * 3 * H + 2 * H + j] = dan;
  dghN[b * H + j] = dan;
  dGates[b * 3 * H + j] = T(0);
  dGates[b * 3 * H + H + j] = g * (h[b * H + j] - n);
  dGates[b * 3 * H + 2 * H + j] = T(0);
  dh[b * H + j] = g * z;
}

}  // namespace gru
