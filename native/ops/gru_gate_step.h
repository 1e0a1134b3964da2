// One reset-after GRU step's gates for one element (row b, unit j), given the step's projections:
// gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh, both [B, 3H] in gate order r, z, n. Shared by the
// CPU loop and the CUDA kernel of the gruGates op (the step loop lib/ops/gru-loop.ts runs it where
// the whole-sequence kernels cannot: every activation form on CUDA). The forward saves r, z, n and
// gh_n per element ([B, 4H]), all the backward needs besides h.
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

}  // namespace gru
