#include "elementwise.h"
#include "launch.h"

namespace gru {
namespace cuda {
namespace {

template <BinaryOp Op, typename T>
__global__ void binaryKernel(T* out, const T* a, const T* b, int64_t n, bool bScalar) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const T lhs = a[i];
    const T rhs = bScalar ? b[0] : b[i];
    if constexpr (Op == BinaryOp::Add) out[i] = lhs + rhs;
    else if constexpr (Op == BinaryOp::Sub) out[i] = lhs - rhs;
    else if constexpr (Op == BinaryOp::Mul) out[i] = lhs * rhs;
    else out[i] = lhs / rhs;
  }
}

template <typename T>
__global__ void axpbyKernel(T* dst, const T* src, int64_t n, T alpha, T beta) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i] = beta == T(0) ? alpha * src[i] : alpha * src[i] + beta * dst[i];
  }
}

}  // namespace

template <typename T>
cudaError_t launchBinary(BinaryOp op, T* out, const T* a, const T* b, int64_t n, bool bScalar, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  const unsigned blocks = blocksFor(n);
  switch (op) {
    case BinaryOp::Add: binaryKernel<BinaryOp::Add><<<blocks, kThreadsPerBlock, 0, stream>>>(out, a, b, n, bScalar); break;
    case BinaryOp::Sub: binaryKernel<BinaryOp::Sub><<<blocks, kThreadsPerBlock, 0, stream>>>(out, a, b, n, bScalar); break;
    case BinaryOp::Mul: binaryKernel<BinaryOp::Mul><<<blocks, kThreadsPerBlock, 0, stream>>>(out, a, b, n, bScalar); break;
    case BinaryOp::Div: binaryKernel<BinaryOp::Div><<<blocks, kThreadsPerBlock, 0, stream>>>(out, a, b, n, bScalar); break;
  }
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchAxpby(T* dst, const T* src, int64_t n, T alpha, T beta, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  axpbyKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(dst, src, n, alpha, beta);
  return cudaGetLastError();
}

template cudaError_t launchBinary<float>(BinaryOp, float*, const float*, const float*, int64_t, bool, cudaStream_t);
template cudaError_t launchBinary<double>(BinaryOp, double*, const double*, const double*, int64_t, bool, cudaStream_t);
template cudaError_t launchBinary<int32_t>(BinaryOp, int32_t*, const int32_t*, const int32_t*, int64_t, bool, cudaStream_t);
template cudaError_t launchAxpby<float>(float*, const float*, int64_t, float, float, cudaStream_t);
template cudaError_t launchAxpby<double>(double*, const double*, int64_t, double, double, cudaStream_t);

}  // namespace cuda
}  // namespace gru
