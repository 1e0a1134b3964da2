// Note [Bit-equal random streams]
// These kernels mirror native/cpu/random_fill.h term by term: the same Philox words, the same
// unitFloat/unitDouble conversions (exact), the same order of operations. The one choice the
// host compiler makes is whether `low + span * u` (and Box-Muller's `mean + scale * trig`)
// becomes one fused multiply-add: GCC fuses it when the CPU code is built with FMA (x86-64-v3,
// aarch64), which CMakeLists.txt passes here as GRU_CPU_FP_CONTRACT. The intrinsics below pin
// the device to the same choice, so uniform draws are bit-equal for float32 and float64. Normal
// draws also go through log, sqrt, sin and cos; sqrt is correctly rounded on both, but CUDA's
// log/sin/cos may differ from glibc's by an ulp, so normal values can differ in the last bit.
#include "../../core/philox.h"
#include "launch.h"
#include "random.h"

#ifndef GRU_CPU_FP_CONTRACT
#define GRU_CPU_FP_CONTRACT 0
#endif

namespace gru {
namespace cuda {
namespace {

__device__ inline float affine(float scale, float u, float shift) {
#if GRU_CPU_FP_CONTRACT
  return __fmaf_rn(scale, u, shift);
#else
  return __fadd_rn(shift, __fmul_rn(scale, u));
#endif
}

__device__ inline double affine(double scale, double u, double shift) {
#if GRU_CPU_FP_CONTRACT
  return __fma_rn(scale, u, shift);
#else
  return __dadd_rn(shift, __dmul_rn(scale, u));
#endif
}

__global__ void uniformFloatKernel(float* dst, int64_t n, uint64_t seed, uint64_t offset, float low, float span) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i] = affine(span, unitFloat(philoxWord(seed, offset + i)), low);
  }
}

__global__ void uniformDoubleKernel(double* dst, int64_t n, uint64_t seed, uint64_t offset, double low, double span) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const uint64_t w = offset + 2 * static_cast<uint64_t>(i);
    dst[i] = affine(span, unitDouble(philoxWord(seed, w), philoxWord(seed, w + 1)), low);
  }
}

// One Box-Muller pair: values 2p and 2p+1 (the second only when it exists).
template <typename T>
__device__ inline void boxMullerPair(T* dst, int64_t n, int64_t pair, double u1, double u2, double mean, double stddev) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  const double radius = sqrt(__dmul_rn(-2.0, log(u1)));
  const double scale = __dmul_rn(radius, stddev);
  const double angle = __dmul_rn(kTwoPi, u2);
  dst[2 * pair] = static_cast<T>(affine(scale, cos(angle), mean));
  if (2 * pair + 1 < n) dst[2 * pair + 1] = static_cast<T>(affine(scale, sin(angle), mean));
}

__global__ void normalFloatKernel(float* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  const int64_t pairs = (n + 1) / 2;
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t p = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < pairs; p += stride) {
    const uint64_t w = offset + 2 * static_cast<uint64_t>(p);
    boxMullerPair(dst, n, p, unitFloatOpen0(philoxWord(seed, w)), unitFloat(philoxWord(seed, w + 1)), mean, stddev);
  }
}

__global__ void normalDoubleKernel(double* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  const int64_t pairs = (n + 1) / 2;
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t p = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < pairs; p += stride) {
    const uint64_t w = offset + 4 * static_cast<uint64_t>(p);
    boxMullerPair(dst, n, p, unitDoubleOpen0(philoxWord(seed, w), philoxWord(seed, w + 1)),
                  unitDouble(philoxWord(seed, w + 2), philoxWord(seed, w + 3)), mean, stddev);
  }
}

}  // namespace

cudaError_t launchUniformFloat(float* dst, int64_t n, uint64_t seed, uint64_t offset, double low, double high,
                               cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  // Same float conversions as fillUniform(float*): low and (high - low) rounded once.
  uniformFloatKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(dst, n, seed, offset, static_cast<float>(low),
                                                                    static_cast<float>(high - low));
  return cudaGetLastError();
}

cudaError_t launchUniformDouble(double* dst, int64_t n, uint64_t seed, uint64_t offset, double low, double high,
                                cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  uniformDoubleKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(dst, n, seed, offset, low, high - low);
  return cudaGetLastError();
}

cudaError_t launchNormalFloat(float* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev,
                              cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  normalFloatKernel<<<blocksFor((n + 1) / 2), kThreadsPerBlock, 0, stream>>>(dst, n, seed, offset, mean, stddev);
  return cudaGetLastError();
}

cudaError_t launchNormalDouble(double* dst, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev,
                               cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  normalDoubleKernel<<<blocksFor((n + 1) / 2), kThreadsPerBlock, 0, stream>>>(dst, n, seed, offset, mean, stddev);
  return cudaGetLastError();
}

}  // namespace cuda
}  // namespace gru
