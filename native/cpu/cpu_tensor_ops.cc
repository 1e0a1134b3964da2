// CpuBackend's shape ops and row-wise math: unary functions and their gradients, strided copies,
// reductions along a dimension, softmax, and gather/scatter (Note [Gather geometry]).
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/errors.h"
#include "../ops/cast.h"
#include "../ops/index_errors.h"
#include "../ops/unary_functors.h"
#include "cpu_backend.h"
#include "elementwise.h"
#include "float_dispatch.h"
#include "kernel_targets.h"

namespace gru {

namespace {

// Calls body(T{}) with the C++ type of any dtype.
template <typename Body>
void withAnyType(DType dtype, Body&& body) {
  switch (dtype) {
    case DType::Float32: body(float{}); return;
    case DType::Float64: body(double{}); return;
    case DType::Int32: body(int32_t{}); return;
  }
}

}  // namespace

void CpuBackend::cast(const CastRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    withAnyType(r.a.dtype, [&](auto fromTag) {
      withAnyType(r.out.dtype, [&](auto toTag) {
        using From = decltype(fromTag);
        using To = decltype(toTag);
        const From* a = r.a.data<From>();
        To* out = r.out.data<To>();
        for (int64_t i = 0; i < r.out.numel; ++i) out[i] = castValue<To>(a[i]);
      });
    });
  });
}

void CpuBackend::unary(const UnaryRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    withUnaryFn(r.op, [&](auto fn) {
      withFloatType(r.out.dtype, [&](auto tag) {
        using T = decltype(tag);
        const T* a = r.a.data<T>();
        T* out = r.out.data<T>();
        const T p0 = static_cast<T>(r.p0), p1 = static_cast<T>(r.p1);
        for (int64_t i = 0; i < r.out.numel; ++i) out[i] = fn.forward(a[i], p0, p1);
      });
    });
  });
}

void CpuBackend::unaryBackward(const UnaryBackwardRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    withUnaryFn(r.op, [&](auto fn) {
      withFloatType(r.gradIn.dtype, [&](auto tag) {
        using T = decltype(tag);
        const T *g = r.gradOut.data<T>(), *x = r.x.data<T>(), *y = r.y.data<T>();
        T* out = r.gradIn.data<T>();
        const T p0 = static_cast<T>(r.p0), p1 = static_cast<T>(r.p1);
        for (int64_t i = 0; i < r.gradIn.numel; ++i) out[i] = g[i] * fn.derivative(x[i], y[i], p0, p1);
      });
    });
  });
}

void CpuBackend::stridedCopy(const StridedCopyRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    const size_t item = dtypeSize(r.dst.dtype);
    auto* dst = static_cast<char*>(r.dst.raw());
    const auto* src = static_cast<const char*>(r.src.raw());
    forEachRun(r.geometry, [&](int64_t o0, int64_t o1, int64_t count, int64_t s0, int64_t s1) {
      if (s0 == 1 && s1 == 1) {
        std::memcpy(dst + o0 * item, src + o1 * item, static_cast<size_t>(count) * item);
        return;
      }
      for (int64_t i = 0; i < count; ++i) std::memcpy(dst + (o0 + i * s0) * item, src + (o1 + i * s1) * item, item);
    });
  });
}

namespace {

// Sum of x^2 (or |x|) over a contiguous run of floats, in double: 32 partial sums, so the loop
// runs at memory speed rather than at the add latency (8 partials: clipGradNorm's norms of W's
// 47 MB of gradients took 2.8 ms, 16 GB/s).
template <bool Squares>
GRU_ALWAYS_INLINE double sumPowerRun(const float* a, int64_t n) {
  constexpr int kPartials = 32;
  double partial[kPartials] = {};
  int64_t i = 0;
  for (; i + kPartials <= n; i += kPartials) {
    for (int k = 0; k < kPartials; ++k) {
      const double v = a[i + k];
      partial[k] += Squares ? v * v : std::fabs(v);
    }
  }
  double total = 0;
  for (; i < n; ++i) total += Squares ? static_cast<double>(a[i]) * a[i] : std::fabs(static_cast<double>(a[i]));
  for (int k = 0; k < kPartials; ++k) total += partial[k];
  return total;
}

GRU_HOT_KERNEL double sumSquaresRun(const float* a, int64_t n) { return sumPowerRun<true>(a, n); }
GRU_HOT_KERNEL double sumAbsRun(const float* a, int64_t n) { return sumPowerRun<false>(a, n); }

// The float sum over dim 0 in double: a Linear layer's bias gradient (the column sums of dY,
// [700 x 10000] in W), vectorised; the generic loop below ran it for the baseline target.
GRU_HOT_KERNEL void addColumnSumsInDouble(const float* block, int64_t rows, int64_t cols, double* sums) {
  addColumnSumsOf(rows, cols, cols, block, sums);
}

template <typename T>
void reduceRows(const ReduceRequest& r) {
  // The norm of a whole gradient (clipGradNorm) is the common large case: a contiguous run.
  if constexpr (std::is_same_v<T, float>) {
    if (r.inner == 1 && r.op == ReduceOp::SumAbsPow && (r.p == 2 || r.p == 1)) {
      for (int64_t o = 0; o < r.outer; ++o) {
        const float* row = r.a.data<float>() + o * r.n;
        r.out.data<float>()[o] = static_cast<float>(r.p == 2 ? sumSquaresRun(row, r.n) : sumAbsRun(row, r.n));
      }
      return;
    }
  }
  const T* a = r.a.data<T>();
  T* out = r.out.data<T>();
  int32_t* indices = r.indices ? r.indices->data<int32_t>() : nullptr;
  const int64_t inner = r.inner, n = r.n;
  std::vector<double> acc(static_cast<size_t>(inner));
  std::vector<int32_t> at(static_cast<size_t>(inner));
  for (int64_t o = 0; o < r.outer; ++o) {
    const T* block = a + o * n * inner;
    switch (r.op) {
      case ReduceOp::Sum:
      case ReduceOp::SumAbsPow: {
        std::fill(acc.begin(), acc.end(), 0.0);
        if constexpr (std::is_same_v<T, float>) {
          if (r.op == ReduceOp::Sum) {
            addColumnSumsInDouble(block, n, inner, acc.data());
            for (int64_t i = 0; i < inner; ++i) out[o * inner + i] = static_cast<T>(acc[i]);
            break;
          }
        }
        const bool squares = r.op == ReduceOp::SumAbsPow && r.p == 2;
        for (int64_t j = 0; j < n; ++j) {
          const T* row = block + j * inner;
          for (int64_t i = 0; i < inner; ++i) {
            const double v = static_cast<double>(row[i]);
            acc[i] += r.op == ReduceOp::Sum ? v : squares ? v * v : std::pow(std::fabs(v), r.p);
          }
        }
        for (int64_t i = 0; i < inner; ++i) out[o * inner + i] = static_cast<T>(acc[i]);
        break;
      }
      case ReduceOp::Max:
      case ReduceOp::Min:
      case ReduceOp::MaxAbs: {
        // The first extreme value wins; a NaN beats everything (torch propagates it).
        const bool isMin = r.op == ReduceOp::Min, isAbs = r.op == ReduceOp::MaxAbs;
        for (int64_t i = 0; i < inner; ++i) {
          T best = isAbs ? T(0) : block[i];
          if (isAbs && n > 0) best = std::fabs(block[i]);
          int32_t where = 0;
          for (int64_t j = 1; j < n && best == best; ++j) {
            const T v = isAbs ? std::fabs(block[j * inner + i]) : block[j * inner + i];
            if (v != v || (isMin ? v < best : v > best)) {
              best = v;
              where = static_cast<int32_t>(j);
            }
          }
          out[o * inner + i] = best;
          if (indices) indices[o * inner + i] = where;
        }
        break;
      }
    }
  }
}

template <typename T>
void softmaxRows(const SoftmaxRequest& r) {
  const T* a = r.a.data<T>();
  T* out = r.out.data<T>();
  for (int64_t o = 0; o < r.outer; ++o) {
    for (int64_t i = 0; i < r.inner; ++i) {
      const T* x = a + o * r.n * r.inner + i;
      T* y = out + o * r.n * r.inner + i;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < r.n; ++j) m = x[j * r.inner] > m || x[j * r.inner] != x[j * r.inner] ? x[j * r.inner] : m;
      if (m == -std::numeric_limits<T>::infinity()) m = 0;  // a row of -inf: exp(-inf - 0) = 0, no NaN from inf - inf
      double total = 0;
      for (int64_t j = 0; j < r.n; ++j) total += std::exp(static_cast<double>(x[j * r.inner] - m));
      if (r.log) {
        const T shift = m + static_cast<T>(std::log(total));
        for (int64_t j = 0; j < r.n; ++j) y[j * r.inner] = x[j * r.inner] - shift;
      } else {
        const double scale = 1.0 / total;
        for (int64_t j = 0; j < r.n; ++j) y[j * r.inner] = static_cast<T>(std::exp(static_cast<double>(x[j * r.inner] - m)) * scale);
      }
    }
  }
}

template <typename T>
void softmaxBackwardRows(const SoftmaxBackwardRequest& r) {
  const T *g = r.gradOut.data<T>(), *y = r.y.data<T>();
  T* out = r.gradIn.data<T>();
  for (int64_t o = 0; o < r.outer; ++o) {
    for (int64_t i = 0; i < r.inner; ++i) {
      const int64_t base = o * r.n * r.inner + i;
      double dot = 0;
      // softmax: gi = y (g - sum g y); log-softmax: gi = g - exp(y) sum g.
      for (int64_t j = 0; j < r.n; ++j) dot += static_cast<double>(g[base + j * r.inner]) * (r.log ? 1.0 : static_cast<double>(y[base + j * r.inner]));
      const T s = static_cast<T>(dot);
      for (int64_t j = 0; j < r.n; ++j) {
        const int64_t k = base + j * r.inner;
        out[k] = r.log ? g[k] - std::exp(y[k]) * s : y[k] * (g[k] - s);
      }
    }
  }
}

}  // namespace

void CpuBackend::reduce(const ReduceRequest& r) {
  raisePendingError();
  stream_.enqueue([r] { withFloatType(r.a.dtype, [&](auto tag) { reduceRows<decltype(tag)>(r); }); });
}

void CpuBackend::softmax(const SoftmaxRequest& r) {
  raisePendingError();
  stream_.enqueue([r] { withFloatType(r.a.dtype, [&](auto tag) { softmaxRows<decltype(tag)>(r); }); });
}

void CpuBackend::softmaxBackward(const SoftmaxBackwardRequest& r) {
  raisePendingError();
  stream_.enqueue([r] { withFloatType(r.y.dtype, [&](auto tag) { softmaxBackwardRows<decltype(tag)>(r); }); });
}

namespace {

template <typename T>
void gatherRows(const GatherRequest& r) {
  const int32_t* index = r.index.data<int32_t>();
  for (int64_t i = 0; i < r.index.numel; ++i) {
    if (index[i] < 0 || index[i] >= r.n) throw Error(ErrorKind::Argument, badIndexMessage(r.what, r.n, i, index[i]));
  }
  T* a = r.a.data<T>();
  T* out = r.out.data<T>();
  for (int64_t o = 0; o < r.outer; ++o) {
    for (int64_t j = 0; j < r.k; ++j) {
      T* outRow = out + (o * r.k + j) * r.inner;
      if (!r.perElement) {
        T* aRow = a + (o * r.n + index[j]) * r.inner;
        if (r.scatter) {
          for (int64_t i = 0; i < r.inner; ++i) aRow[i] += outRow[i];
        } else {
          std::memcpy(outRow, aRow, static_cast<size_t>(r.inner) * sizeof(T));
        }
        continue;
      }
      const int32_t* indexRow = index + (o * r.k + j) * r.inner;
      for (int64_t i = 0; i < r.inner; ++i) {
        T& source = a[(o * r.n + indexRow[i]) * r.inner + i];
        if (r.scatter) source += outRow[i];
        else outRow[i] = source;
      }
    }
  }
}

}  // namespace

void CpuBackend::gather(const GatherRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    if (r.a.dtype == DType::Int32) gatherRows<int32_t>(r);
    else withFloatType(r.a.dtype, [&](auto tag) { gatherRows<decltype(tag)>(r); });
  });
}

}  // namespace gru
