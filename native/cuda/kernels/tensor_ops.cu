#include <cfloat>

#include "../../ops/binary_functors.h"
#include "../../ops/cast.h"
#include "../../ops/unary_functors.h"
#include "block_reduce.cuh"
#include "launch.h"
#include "tensor_ops.h"

namespace gru {
namespace cuda {
namespace {

__device__ inline int64_t globalIndex() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline int64_t globalStride() { return static_cast<int64_t>(blockDim.x) * gridDim.x; }

template <typename To, typename From>
__global__ void castKernel(To* out, const From* a, int64_t n) {
  for (int64_t i = globalIndex(); i < n; i += globalStride()) out[i] = castValue<To>(a[i]);
}

template <typename Body>
void withDeviceType(DType dtype, Body&& body) {
  switch (dtype) {
    case DType::Float32: body(float{}); return;
    case DType::Float64: body(double{}); return;
    case DType::Int32: body(int32_t{}); return;
  }
}

template <typename Fn, typename T>
__global__ void unaryKernel(Fn fn, T* out, const T* a, int64_t n, T p0, T p1) {
  for (int64_t i = globalIndex(); i < n; i += globalStride()) out[i] = fn.forward(a[i], p0, p1);
}

template <typename Fn, typename T>
__global__ void unaryBackwardKernel(Fn fn, T* gradIn, const T* gradOut, const T* x, const T* y, int64_t n, T p0, T p1) {
  for (int64_t i = globalIndex(); i < n; i += globalStride()) gradIn[i] = gradOut[i] * fn.derivative(x[i], y[i], p0, p1);
}

template <typename Fn, typename T>
__global__ void broadcastKernel(Fn fn, T* out, const T* a, const T* b, StridedGeometry g, int64_t n) {
  for (int64_t i = globalIndex(); i < n; i += globalStride()) {
    int64_t oa, ob;
    g.offsetsOf(i, oa, ob);
    out[i] = fn(a[oa], b[ob]);
  }
}

template <typename Word>
__global__ void stridedCopyKernel(Word* dst, const Word* src, StridedGeometry g, int64_t n) {
  for (int64_t i = globalIndex(); i < n; i += globalStride()) {
    int64_t od, os;
    g.offsetsOf(i, od, os);
    dst[od] = src[os];
  }
}

// One block per output element: threads stride over the reduced dimension.
template <typename T>
__global__ void reduceKernel(ReduceOp op, T* out, int32_t* indices, const T* a, int64_t outer, int64_t n, int64_t inner, double p) {
  for (int64_t slot = blockIdx.x; slot < outer * inner; slot += gridDim.x) {
    const T* base = a + (slot / inner) * n * inner + slot % inner;
    if (op == ReduceOp::Sum || op == ReduceOp::SumAbsPow) {
      double total = 0;
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
        const double v = static_cast<double>(base[j * inner]);
        total += op == ReduceOp::Sum ? v : (p == 2 ? v * v : pow(fabs(v), p));
      }
      total = blockReduce(total, [](double x, double y) { return x + y; });
      if (threadIdx.x == 0) out[slot] = static_cast<T>(total);
      continue;
    }
    // Extremes: (value, index) pairs; NaN wins, then the larger (smaller) value, then the lower index.
    const bool isMin = op == ReduceOp::Min, isAbs = op == ReduceOp::MaxAbs;
    double best = isMin ? DBL_MAX : -DBL_MAX;
    long long at = n;  // n: this thread has taken no element yet
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      double v = static_cast<double>(base[j * inner]);
      if (isAbs) v = fabs(v);
      // The first element is always taken: a row of -inf has max -inf at index 0, not -DBL_MAX at n.
      const bool better = at == n || (v != v ? best == best : (best == best && (isMin ? v < best : v > best)));
      if (better) {
        best = v;
        at = j;
      }
    }
    __shared__ double values[kRowThreads];
    __shared__ long long places[kRowThreads];
    values[threadIdx.x] = best;
    places[threadIdx.x] = at;
    __syncthreads();
    for (int width = kRowThreads / 2; width > 0; width /= 2) {
      if (threadIdx.x < width) {
        const double v = values[threadIdx.x + width], b = values[threadIdx.x];
        const long long pv = places[threadIdx.x + width], pb = places[threadIdx.x];
        bool take;
        if (pv == n || pb == n) take = pb == n && pv != n;  // a thread that took nothing never wins
        else if (v != v || b != b) take = (v != v) && (b == b || pv < pb);
        else take = (isMin ? v < b : v > b) || (v == b && pv < pb);
        if (take) {
          values[threadIdx.x] = v;
          places[threadIdx.x] = pv;
        }
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      out[slot] = static_cast<T>(values[0]);
      if (indices) indices[slot] = static_cast<int32_t>(places[0]);
    }
    __syncthreads();
  }
}

template <typename T>
__global__ void softmaxKernel(bool logOut, T* out, const T* a, int64_t outer, int64_t n, int64_t inner) {
  for (int64_t slot = blockIdx.x; slot < outer * inner; slot += gridDim.x) {
    const int64_t base = (slot / inner) * n * inner + slot % inner;
    double m = -DBL_MAX;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) m = fmax(m, static_cast<double>(a[base + j * inner]));
    m = blockReduce(m, [](double x, double y) { return fmax(x, y); });
    double total = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) total += exp(static_cast<double>(a[base + j * inner]) - m);
    total = blockReduce(total, [](double x, double y) { return x + y; });
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const double x = static_cast<double>(a[base + j * inner]);
      out[base + j * inner] = static_cast<T>(logOut ? x - m - log(total) : exp(x - m) / total);
    }
  }
}

template <typename T>
__global__ void softmaxBackwardKernel(bool logOut, T* gradIn, const T* gradOut, const T* y, int64_t outer, int64_t n, int64_t inner) {
  for (int64_t slot = blockIdx.x; slot < outer * inner; slot += gridDim.x) {
    const int64_t base = (slot / inner) * n * inner + slot % inner;
    double dot = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const int64_t k = base + j * inner;
      dot += static_cast<double>(gradOut[k]) * (logOut ? 1.0 : static_cast<double>(y[k]));
    }
    dot = blockReduce(dot, [](double x, double z) { return x + z; });
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const int64_t k = base + j * inner;
      gradIn[k] = logOut ? static_cast<T>(gradOut[k] - exp(static_cast<double>(y[k])) * dot)
                         : static_cast<T>(y[k] * (gradOut[k] - dot));
    }
  }
}

__global__ void checkIndicesKernel(const int32_t* index, int64_t count, int64_t n, long long* firstBad) {
  for (int64_t i = globalIndex(); i < count; i += globalStride()) {
    if (index[i] < 0 || index[i] >= n) atomicMin(firstBad, static_cast<long long>(i));
  }
}

// bad = [first bad position, its value]: the value is read once the check has found the position.
__global__ void recordBadValueKernel(long long* bad, const int32_t* values, long long none) {
  if (bad[0] != none) bad[1] = values[bad[0]];
}

struct GatherShape {
  bool perElement, scatter;
  int64_t outer, n, k, inner;
};

template <typename T>
__global__ void gatherKernel(GatherShape r, T* a, T* out, const int32_t* index, int64_t total) {
  for (int64_t e = globalIndex(); e < total; e += globalStride()) {
    const int64_t i = e % r.inner, j = (e / r.inner) % r.k, o = e / (r.inner * r.k);
    const int32_t at = r.perElement ? index[e] : index[j];
    if (at < 0 || at >= r.n) continue;
    T* source = a + (o * r.n + at) * r.inner + i;
    if (r.scatter) atomicAdd(source, out[e]);
    else out[e] = *source;
  }
}

}  // namespace

cudaError_t launchCast(void* out, DType outType, const void* a, DType aType, int64_t n, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  withDeviceType(aType, [&](auto fromTag) {
    withDeviceType(outType, [&](auto toTag) {
      using From = decltype(fromTag);
      using To = decltype(toTag);
      castKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(static_cast<To*>(out), static_cast<const From*>(a), n);
    });
  });
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchUnary(UnaryOp op, T* out, const T* a, int64_t n, double p0, double p1, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  withUnaryFn(op, [&](auto fn) { unaryKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(fn, out, a, n, static_cast<T>(p0), static_cast<T>(p1)); });
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchUnaryBackward(UnaryOp op, T* gradIn, const T* gradOut, const T* x, const T* y, int64_t n, double p0, double p1,
                                cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  withUnaryFn(op, [&](auto fn) {
    unaryBackwardKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(fn, gradIn, gradOut, x, y, n, static_cast<T>(p0), static_cast<T>(p1));
  });
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchBroadcastBinary(BinaryOp op, T* out, const T* a, const T* b, const StridedGeometry& g, cudaStream_t stream) {
  const int64_t n = g.numel();
  if (n == 0) return cudaSuccess;
  withBinaryFn(op, [&](auto fn) { broadcastKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(fn, out, a, b, g, n); });
  return cudaGetLastError();
}

cudaError_t launchStridedCopy(void* dst, const void* src, int elementBytes, const StridedGeometry& g, cudaStream_t stream) {
  const int64_t n = g.numel();
  if (n == 0) return cudaSuccess;
  if (elementBytes == 8) {
    stridedCopyKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(static_cast<unsigned long long*>(dst), static_cast<const unsigned long long*>(src), g, n);
  } else {
    stridedCopyKernel<<<blocksFor(n), kThreadsPerBlock, 0, stream>>>(static_cast<unsigned*>(dst), static_cast<const unsigned*>(src), g, n);
  }
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchReduce(const ReduceRequest& r, cudaStream_t stream) {
  reduceKernel<<<rowBlocks(r.outer * r.inner), kRowThreads, 0, stream>>>(r.op, r.out.data<T>(), r.indices ? r.indices->data<int32_t>() : nullptr,
                                                                        r.a.data<T>(), r.outer, r.n, r.inner, r.p);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchSoftmax(const SoftmaxRequest& r, cudaStream_t stream) {
  softmaxKernel<<<rowBlocks(r.outer * r.inner), kRowThreads, 0, stream>>>(r.log, r.out.data<T>(), r.a.data<T>(), r.outer, r.n, r.inner);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchSoftmaxBackward(const SoftmaxBackwardRequest& r, cudaStream_t stream) {
  softmaxBackwardKernel<<<rowBlocks(r.outer * r.inner), kRowThreads, 0, stream>>>(r.log, r.gradIn.data<T>(), r.gradOut.data<T>(), r.y.data<T>(),
                                                                                r.outer, r.n, r.inner);
  return cudaGetLastError();
}

cudaError_t launchRecordBadValue(long long* bad, const int32_t* values, long long none, cudaStream_t stream) {
  recordBadValueKernel<<<1, 1, 0, stream>>>(bad, values, none);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchGather(const GatherRequest& r, long long* firstBad, cudaStream_t stream) {
  const int64_t count = r.index.numel, total = r.outer * r.k * r.inner;
  checkIndicesKernel<<<blocksFor(count), kThreadsPerBlock, 0, stream>>>(r.index.data<int32_t>(), count, r.n, firstBad);
  const GatherShape plain{r.perElement, r.scatter, r.outer, r.n, r.k, r.inner};
  gatherKernel<<<blocksFor(total), kThreadsPerBlock, 0, stream>>>(plain, r.a.data<T>(), r.out.data<T>(), r.index.data<int32_t>(), total);
  return cudaGetLastError();
}

#define GRU_INSTANTIATE(T)                                                                                            \
  template cudaError_t launchUnary<T>(UnaryOp, T*, const T*, int64_t, double, double, cudaStream_t);                  \
  template cudaError_t launchUnaryBackward<T>(UnaryOp, T*, const T*, const T*, const T*, int64_t, double, double,     \
                                              cudaStream_t);                                                          \
  template cudaError_t launchBroadcastBinary<T>(BinaryOp, T*, const T*, const T*, const StridedGeometry&, cudaStream_t); \
  template cudaError_t launchReduce<T>(const ReduceRequest&, cudaStream_t);                                           \
  template cudaError_t launchSoftmax<T>(const SoftmaxRequest&, cudaStream_t);                                         \
  template cudaError_t launchSoftmaxBackward<T>(const SoftmaxBackwardRequest&, cudaStream_t);                         \
  template cudaError_t launchGather<T>(const GatherRequest&, long long*, cudaStream_t);
GRU_INSTANTIATE(float)
GRU_INSTANTIATE(double)
#undef GRU_INSTANTIATE
template cudaError_t launchGather<int32_t>(const GatherRequest&, long long*, cudaStream_t);
template cudaError_t launchBroadcastBinary<int32_t>(BinaryOp, int32_t*, const int32_t*, const int32_t*, const StridedGeometry&, cudaStream_t);

}  // namespace cuda
}  // namespace gru
