#include <cfloat>

#include "../../ops/loss_functors.h"
#include "../../ops/optimizer_rules.h"
#include "block_reduce.cuh"
#include "launch.h"
#include "training.h"

namespace gru {
namespace cuda {
namespace {

__device__ inline int64_t globalIndex() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline int64_t globalStride() { return static_cast<int64_t>(blockDim.x) * gridDim.x; }

// What the element-loss kernels need, as plain pointers.
template <typename T>
struct ElementLossArgs {
  ElementLoss kind;
  const T *x, *y, *weight, *posWeight;
  int64_t n, lastDim;
  T beta;
};

template <typename T>
ElementLossArgs<T> argsOf(const ElementLossRequest& r) {
  return {r.kind, r.input.data<T>(), r.target.data<T>(), r.weight ? r.weight->data<T>() : nullptr,
          r.posWeight ? r.posWeight->data<T>() : nullptr, r.input.numel, r.lastDim, static_cast<T>(r.beta)};
}

// binaryCrossEntropy's input and target must lie in [0, 1] (NaN fails too), as torch requires:
// the first flat position outside goes to *firstBad (atomicMin).
template <typename T>
__global__ void elementLossKernel(ElementLossArgs<T> a, T* out, long long* firstBad) {
  for (int64_t i = globalIndex(); i < a.n; i += globalStride()) {
    const T x = a.x[i], y = a.y[i];
    if (a.kind == ElementLoss::BinaryCrossEntropy && !(x >= T(0) && x <= T(1) && y >= T(0) && y <= T(1))) {
      atomicMin(firstBad, static_cast<long long>(i));
    }
    const T p = a.posWeight ? a.posWeight[i % a.lastDim] : T(1);
    const T v = elementLossValue(a.kind, x, y, a.beta, p);
    out[i] = a.weight ? v * a.weight[i] : v;
  }
}

template <typename T>
__global__ void elementLossBackwardKernel(ElementLossArgs<T> a, T* gradIn, const T* gradOut, bool scalarGrad, T scale) {
  for (int64_t i = globalIndex(); i < a.n; i += globalStride()) {
    const T p = a.posWeight ? a.posWeight[i % a.lastDim] : T(1);
    const T d = elementLossDerivative(a.kind, a.x[i], a.y[i], a.beta, p) * (scalarGrad ? gradOut[0] : gradOut[i]) * scale;
    gradIn[i] = a.weight ? d * a.weight[i] : d;
  }
}

template <typename T>
struct ClassLossArgs {
  ClassLoss kind;
  bool probability;
  const T* input;
  const int32_t* index;
  const T* probabilities;
  const T* weight;
  int64_t rows, classes, ignoreIndex;
  double smoothing;
};

template <typename T>
ClassLossArgs<T> argsOf(const ClassLossRequest& r) {
  return {r.kind, r.probabilityTarget, r.input.data<T>(), r.probabilityTarget ? nullptr : r.target.data<int32_t>(),
          r.probabilityTarget ? r.target.data<T>() : nullptr, r.weight ? r.weight->data<T>() : nullptr, r.rows, r.classes,
          r.ignoreIndex, r.labelSmoothing};
}

template <typename T>
__device__ double rowLogSumExp(const T* x, int64_t classes) {
  double m = -DBL_MAX;
  for (int64_t c = threadIdx.x; c < classes; c += blockDim.x) m = fmax(m, static_cast<double>(x[c]));
  m = blockReduce(m, [](double a, double b) { return fmax(a, b); });
  double total = 0;
  for (int64_t c = threadIdx.x; c < classes; c += blockDim.x) total += exp(static_cast<double>(x[c]) - m);
  total = blockReduce(total, [](double a, double b) { return a + b; });
  return m + log(total);
}

// One block per row (Note [Class losses]).
template <typename T>
__global__ void classLossKernel(ClassLossArgs<T> a, T* loss, T* rowWeight, T* logSumExp, long long* firstBad) {
  const double perClass = a.smoothing / static_cast<double>(a.classes);
  for (int64_t row = blockIdx.x; row < a.rows; row += gridDim.x) {
    const T* x = a.input + row * a.classes;
    const double lse = a.kind == ClassLoss::CrossEntropy ? rowLogSumExp(x, a.classes) : 0.0;
    double value = 0, share = 1;
    if (a.probability) {
      const T* q = a.probabilities + row * a.classes;
      for (int64_t c = threadIdx.x; c < a.classes; c += blockDim.x) {
        value -= (a.weight ? a.weight[c] : 1.0) * ((1 - a.smoothing) * q[c] + perClass) * (x[c] - lse);
      }
      value = blockReduce(value, [](double u, double v) { return u + v; });
    } else {
      const int32_t t = a.index[row];
      if (t == a.ignoreIndex) {
        share = 0;
      } else if (t < 0 || t >= a.classes) {
        if (threadIdx.x == 0) atomicMin(firstBad, static_cast<long long>(row));
        value = share = nan("");
      } else {
        share = a.weight ? a.weight[t] : 1.0;
        value = -share * (x[t] - lse);
        if (a.smoothing > 0) {
          double smooth = 0;
          for (int64_t c = threadIdx.x; c < a.classes; c += blockDim.x) smooth -= (a.weight ? a.weight[c] : 1.0) * (x[c] - lse);
          smooth = blockReduce(smooth, [](double u, double v) { return u + v; });
          value = (1 - a.smoothing) * value + perClass * smooth;
        }
      }
    }
    if (threadIdx.x == 0) {
      loss[row] = static_cast<T>(value);
      rowWeight[row] = static_cast<T>(share);
      if (logSumExp) logSumExp[row] = static_cast<T>(lse);
    }
  }
}

template <typename T>
__global__ void classLossBackwardKernel(ClassLossArgs<T> a, const T* logSumExp, T* gradIn, const T* gradOut, bool scalarGrad) {
  const double perClass = a.smoothing / static_cast<double>(a.classes);
  for (int64_t row = blockIdx.x; row < a.rows; row += gridDim.x) {
    const T* x = a.input + row * a.classes;
    T* d = gradIn + row * a.classes;
    const double scale = scalarGrad ? gradOut[0] : gradOut[row];
    if (a.probability) {
      const T* q = a.probabilities + row * a.classes;
      double mass = 0;
      for (int64_t c = threadIdx.x; c < a.classes; c += blockDim.x) mass += (a.weight ? a.weight[c] : 1.0) * ((1 - a.smoothing) * q[c] + perClass);
      mass = blockReduce(mass, [](double u, double v) { return u + v; });
      for (int64_t c = threadIdx.x; c < a.classes; c += blockDim.x) {
        const double p = exp(x[c] - static_cast<double>(logSumExp[row]));
        d[c] = static_cast<T>(scale * (mass * p - (a.weight ? a.weight[c] : 1.0) * ((1 - a.smoothing) * q[c] + perClass)));
      }
      continue;
    }
    const int32_t t = a.index[row];
    const bool skip = t == a.ignoreIndex || t < 0 || t >= a.classes;
    if (a.kind == ClassLoss::Nll || skip) {
      for (int64_t c = threadIdx.x; c < a.classes; c += blockDim.x) {
        d[c] = !skip && c == t && a.kind == ClassLoss::Nll ? static_cast<T>(-(a.weight ? a.weight[t] : 1.0) * scale) : T(0);
      }
      continue;
    }
    double totalWeight = static_cast<double>(a.classes);
    if (a.weight && a.smoothing > 0) {
      totalWeight = 0;
      for (int64_t c = threadIdx.x; c < a.classes; c += blockDim.x) totalWeight += a.weight[c];
      totalWeight = blockReduce(totalWeight, [](double u, double v) { return u + v; });
    }
    const double wt = a.weight ? a.weight[t] : 1.0;
    for (int64_t c = threadIdx.x; c < a.classes; c += blockDim.x) {
      const double p = exp(x[c] - static_cast<double>(logSumExp[row]));
      double grad = (1 - a.smoothing) * wt * (p - (c == t ? 1.0 : 0.0));
      if (a.smoothing > 0) grad += perClass * (totalWeight * p - (a.weight ? a.weight[c] : 1.0));
      d[c] = static_cast<T>(scale * grad);
    }
  }
}

template <typename T>
__global__ void optimizerKernel(OptimizerKind kind, UpdateScalars<T> s, T* p, const T* g, T* s0, T* s1, T* s2, int64_t n) {
  for (int64_t i = globalIndex(); i < n; i += globalStride()) {
    updateElement(kind, s, p[i], g[i], s0 ? s0 + i : nullptr, s1 ? s1 + i : nullptr, s2 ? s2 + i : nullptr);
  }
}

}  // namespace

template <typename T>
cudaError_t launchElementLoss(const ElementLossRequest& r, long long* firstBad, cudaStream_t stream) {
  elementLossKernel<<<blocksFor(r.input.numel), kThreadsPerBlock, 0, stream>>>(argsOf<T>(r), r.out.data<T>(), firstBad);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchElementLossBackward(const ElementLossBackwardRequest& r, cudaStream_t stream) {
  elementLossBackwardKernel<<<blocksFor(r.gradIn.numel), kThreadsPerBlock, 0, stream>>>(
      argsOf<T>(r.forward), r.gradIn.data<T>(), r.gradOut.data<T>(), r.gradOut.numel == 1, static_cast<T>(r.scale));
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchClassLoss(const ClassLossRequest& r, long long* firstBad, cudaStream_t stream) {
  classLossKernel<<<rowBlocks(r.rows), kRowThreads, 0, stream>>>(argsOf<T>(r), r.loss.data<T>(), r.rowWeight.data<T>(),
                                                                 r.logSumExp ? r.logSumExp->data<T>() : nullptr, firstBad);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchClassLossBackward(const ClassLossBackwardRequest& r, cudaStream_t stream) {
  const ClassLossRequest& f = r.forward;
  classLossBackwardKernel<<<rowBlocks(f.rows), kRowThreads, 0, stream>>>(argsOf<T>(f), f.logSumExp ? f.logSumExp->data<T>() : nullptr,
                                                                         r.gradIn.data<T>(), r.gradOut.data<T>(), r.gradOut.numel == 1);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchOptimizerStep(const OptimizerRequest& r, cudaStream_t stream) {
  for (const OptimizerEntry& e : r.entries) {
    if (e.param.numel == 0) continue;
    const UpdateScalars<T> s = updateScalarsOf<T>(r.hyper, e.step, e.firstStep);
    optimizerKernel<<<blocksFor(e.param.numel), kThreadsPerBlock, 0, stream>>>(
        r.kind, s, e.param.data<T>(), e.grad.data<T>(), e.state[0] ? e.state[0]->data<T>() : nullptr,
        e.state[1] ? e.state[1]->data<T>() : nullptr, e.state[2] ? e.state[2]->data<T>() : nullptr, e.param.numel);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess) return status;
  }
  return cudaSuccess;
}

#define GRU_INSTANTIATE(T)                                                                        \
  template cudaError_t launchElementLoss<T>(const ElementLossRequest&, long long*, cudaStream_t);  \
  template cudaError_t launchElementLossBackward<T>(const ElementLossBackwardRequest&, cudaStream_t); \
  template cudaError_t launchClassLoss<T>(const ClassLossRequest&, long long*, cudaStream_t);      \
  template cudaError_t launchClassLossBackward<T>(const ClassLossBackwardRequest&, cudaStream_t);  \
  template cudaError_t launchOptimizerStep<T>(const OptimizerRequest&, cudaStream_t);
GRU_INSTANTIATE(float)
GRU_INSTANTIATE(double)
#undef GRU_INSTANTIATE

}  // namespace cuda
}  // namespace gru
