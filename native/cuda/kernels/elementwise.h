// Elementwise kernels (host-callable launchers; kernels in elementwise.cu) over the shared
// functors of ops/binary_functors.h.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "../../ops/op_codes.h"

namespace gru {
namespace cuda {

// out[i] = a[i] op b[i], or a[i] op b[0] when bScalar. out may alias a or b.
template <typename T>
cudaError_t launchBinary(BinaryOp op, T* out, const T* a, const T* b, int64_t n, bool bScalar, cudaStream_t stream);

// dst = alpha * src + beta * dst; beta == 0 never reads dst. src may alias dst.
template <typename T>
cudaError_t launchAxpby(T* dst, const T* src, int64_t n, T alpha, T beta, cudaStream_t stream);

}  // namespace cuda
}  // namespace gru
