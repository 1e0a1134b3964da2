// GRU_HOST_DEVICE marks functions that nvcc compiles for both the host and the device, so the
// CPU loops and the CUDA kernels share one definition of each per-element formula.
#pragma once

#if defined(__CUDACC__)
#define GRU_HOST_DEVICE __host__ __device__
#else
#define GRU_HOST_DEVICE
#endif
