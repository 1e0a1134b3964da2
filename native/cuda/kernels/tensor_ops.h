// Launchers of the shape ops and row-wise math on CUDA (kernels in tensor_ops.cu), over the
// functors shared with the CPU (ops/unary_functors.h, ops/binary_functors.h).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "../../core/dtype.h"
#include "../../ops/op_codes.h"
#include "../../ops/requests.h"
#include "../../ops/strided.h"

namespace gru {
namespace cuda {

// out[i] = a[i] converted (ops/cast.h); dtypes by code.
cudaError_t launchCast(void* out, DType outType, const void* a, DType aType, int64_t n, cudaStream_t stream);
template <typename T>
cudaError_t launchUnary(UnaryOp op, T* out, const T* a, int64_t n, double p0, double p1, cudaStream_t stream);
template <typename T>
cudaError_t launchUnaryBackward(UnaryOp op, T* gradIn, const T* gradOut, const T* x, const T* y, int64_t n, double p0, double p1,
                                cudaStream_t stream);
// out (contiguous) = a op b through the geometry (Note [Strided geometry]).
template <typename T>
cudaError_t launchBroadcastBinary(BinaryOp op, T* out, const T* a, const T* b, const StridedGeometry& g, cudaStream_t stream);
// Elements of `elementBytes` (4 or 8) from src to dst through the geometry.
cudaError_t launchStridedCopy(void* dst, const void* src, int elementBytes, const StridedGeometry& g, cudaStream_t stream);
template <typename T>
cudaError_t launchReduce(const ReduceRequest& r, cudaStream_t stream);
template <typename T>
cudaError_t launchSoftmax(const SoftmaxRequest& r, cudaStream_t stream);
template <typename T>
cudaError_t launchSoftmaxBackward(const SoftmaxBackwardRequest& r, cudaStream_t stream);
// Note [Gather geometry]. Bad indices are skipped and the first one's flat position is written
// to *firstBad (atomicMin; the caller sets it to INT64_MAX first).
template <typename T>
cudaError_t launchGather(const GatherRequest& r, long long* firstBad, cudaStream_t stream);
// bad[1] = values[bad[0]] unless bad[0] is `none` (no bad entry found): the value for the error.
cudaError_t launchRecordBadValue(long long* bad, const int32_t* values, long long none, cudaStream_t stream);

}  // namespace cuda
}  // namespace gru
