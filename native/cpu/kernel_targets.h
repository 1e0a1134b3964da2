// Note [CPU kernel variants]
// The fused GRU loops (the gate math of gru_gates.h and activations.h, run by gru_forward.cc and
// gru_backward.cc) are where the CPU time outside OpenBLAS goes, and they vectorise only as wide
// as the instruction set they are compiled for. The rest of the addon is built for baseline
// x86-64, so one binary runs on any x86-64 CPU; the functions that run those loops are marked
// GRU_HOT_KERNEL, which makes GCC compile them for x86-64-v4 (AVX-512), x86-64-v3 (AVX2 + FMA)
// and baseline, and pick one when the addon loads (function multiversioning). The gate
// functions they call are GRU_ALWAYS_INLINE so each variant gets its own copy. OpenBLAS chooses
// its own kernels the same way. cpuKernelLevel() says which variant this CPU runs.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(GRU_NO_TARGET_CLONES)
#define GRU_HOT_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define GRU_KERNEL_LEVELS 1
#else
#define GRU_HOT_KERNEL
#endif

#if defined(__GNUC__)
#define GRU_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GRU_ALWAYS_INLINE inline
#endif

namespace gru {

// The variant GRU_HOT_KERNEL functions run on this CPU: "x86-64-v4", "x86-64-v3", "x86-64", or
// "build flags" where the build does not multiversion.
inline const char* cpuKernelLevel() {
#ifdef GRU_KERNEL_LEVELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4";
  if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3";
  return "x86-64";
#else
  return "build flags";
#endif
}

}  // namespace gru
