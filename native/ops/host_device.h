// GRU_HOST_DEVICE marks functions that nvcc compiles for both the host and the device, so the
// CPU loops and the CUDA kernels share one definition of each per-element formula.
#pragma once

#if defined(__CUDACC__)
#define GRU_HOST_DEVICE __host__ __device__
#else
#define GRU_HOST_DEVICE
#endif

// Per-element formulas are always inlined: the CPU's multiversioned loops (Note [CPU kernel
// variants]) do not inline plain inline helpers, and a call per element blocks vectorisation.
#if defined(__CUDACC__)
#define GRU_INLINE __forceinline__
#elif defined(__GNUC__)
#define GRU_INLINE inline __attribute__((always_inline))
#else
#define GRU_INLINE inline
#endif
