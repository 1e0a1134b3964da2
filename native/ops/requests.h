// The requests the bindings hand to a Backend (backend.h), one struct per op family. The
// bindings build them only after checking every element count, dtype and device; backends
// trust them. Tensors are TensorRefs: the storage (kept alive by the request), where the tensor
// starts in it, its element count and dtype.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "../core/tensor_ref.h"
#include "op_codes.h"
#include "strided.h"

namespace gru {

struct FillRequest {
  TensorRef dst;
  double value = 0;  // representable in dst's dtype (int32: an exact integer)
};

// A block copy: `rows` rows of `rowElements` elements, row r read at src + r * srcRowStride and
// written at dst + r * dstRowStride (elements, from each TensorRef's start). A plain copy is one
// row. dst and src are on the same device and may overlap only as a plain copy.
struct CopyRequest {
  TensorRef dst;
  TensorRef src;
  int64_t rows = 1;
  int64_t rowElements = 0;
  int64_t dstRowStride = 0;
  int64_t srcRowStride = 0;
};

// A Philox draw into dst (float32 or float64): uniform on [a, b), or normal with mean a and
// standard deviation b. a and b are finite in dst's dtype.
struct RandomRequest {
  TensorRef dst;
  Distribution distribution = Distribution::Uniform;
  uint64_t seed = 0;
  uint64_t offset = 0;
  double a = 0;
  double b = 1;
};

// out = a op b. With geometry.ndim == 0, b has a's element count or is a single value and out
// may alias a or b; otherwise a and b are read through the geometry (Note [Strided geometry]:
// stride0 is a's, stride1 b's) and out is new memory.
struct BinaryRequest {
  BinaryOp op = BinaryOp::Add;
  TensorRef out;
  TensorRef a;
  TensorRef b;
  StridedGeometry geometry;
};

// out = a converted to out's dtype (ops/cast.h); same element count and device.
struct CastRequest {
  TensorRef out;
  TensorRef a;
};

// out = f(a; p0, p1); out may alias a.
struct UnaryRequest {
  UnaryOp op = UnaryOp::Exp;
  TensorRef out;
  TensorRef a;
  double p0 = 0, p1 = 0;
};

// gradIn = gradOut * f'(x), from x and y = f(x) (same element counts).
struct UnaryBackwardRequest {
  UnaryOp op = UnaryOp::Exp;
  TensorRef gradIn;
  TensorRef gradOut;
  TensorRef x;
  TensorRef y;
  double p0 = 0, p1 = 0;
};

// dst (read and written through geometry.stride0) = src (through stride1); dst and src do not
// overlap. Transposes, broadcasts, narrow on any dim, and cat's writes into parts of its output.
struct StridedCopyRequest {
  TensorRef dst;
  TensorRef src;
  StridedGeometry geometry;
};

// Along the middle dimension of a seen as [outer, n, inner]: out [outer, inner] (and indices,
// int32, for max and min). n == 0 gives the op's identity (sum: 0); lib/ refuses max of nothing.
struct ReduceRequest {
  ReduceOp op = ReduceOp::Sum;
  TensorRef out;
  std::optional<TensorRef> indices;
  TensorRef a;
  int64_t outer = 1, n = 0, inner = 1;
  double p = 2;  // sumAbsPow's exponent
};

// Softmax (or log-softmax) along the middle dimension of [outer, n, inner].
struct SoftmaxRequest {
  bool log = false;
  TensorRef out;
  TensorRef a;
  int64_t outer = 1, n = 0, inner = 1;
};

// gradIn from gradOut and the forward's output y (same geometry as the forward).
struct SoftmaxBackwardRequest {
  bool log = false;
  TensorRef gradIn;
  TensorRef gradOut;
  TensorRef y;
  int64_t outer = 1, n = 0, inner = 1;
};

// Note [Gather geometry]
// a is [outer, n, inner] and out [outer, k, inner]. indexSelect (perElement false) reads
// out[o, j, i] = a[o, index[j], i] with index [k]; gather (perElement true) reads
// a[o, index[o, j, i], i] with index [outer, k, inner]. With `scatter` the data flows back:
// a[o, index..., i] += out[o, j, i] (the backward of both; a is the gradient, pre-filled).
// Every index is checked against n before anything is written; a bad one fails the op with an
// ArgumentError naming `what`, the index and where it was.
struct GatherRequest {
  bool perElement = false;
  bool scatter = false;
  TensorRef a;
  TensorRef out;
  TensorRef index;
  int64_t outer = 1, n = 0, k = 0, inner = 1;
  std::string what;
};

// dst = alpha * src + beta * dst (beta 0: dst is only written).
struct AxpbyRequest {
  TensorRef dst;
  TensorRef src;
  double alpha = 1;
  double beta = 0;
};

// out (one element) = the sum of a, accumulated in double.
struct SumRequest {
  TensorRef out;
  TensorRef a;
};

// Row-major C[m x n] = alpha * op(A) op(B) + beta * C, op = transpose when the flag is set;
// A is [m x k] ([k x m] when transA), B is [k x n] ([n x k] when transB). `batch` products,
// the i-th at element offsets i * stride (a stride of 0 reuses one matrix: broadcasting).
struct GemmRequest {
  bool transA = false;
  bool transB = false;
  int64_t m = 0, n = 0, k = 0;
  double alpha = 1;
  TensorRef a;
  TensorRef b;
  double beta = 0;
  TensorRef c;
  int64_t batch = 1;
  int64_t strideA = 0, strideB = 0, strideC = 0;
  // Added to every row of each C (a Linear layer's bias, [n]); CPU only.
  std::optional<TensorRef> columnBias;
};

}  // namespace gru
