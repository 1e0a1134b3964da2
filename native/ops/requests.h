// The requests the bindings hand to a Backend (backend.h), one struct per op family. The
// bindings build them only after checking every element count, dtype and device; backends
// trust them. Tensors are TensorRefs: the storage (kept alive by the request), where the tensor
// starts in it, its element count and dtype.
#pragma once
#include <cstdint>

#include "../core/tensor_ref.h"
#include "op_codes.h"

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

// out = a op b; b has a's element count or is a single value (broadcast). out may alias a or b.
struct BinaryRequest {
  BinaryOp op = BinaryOp::Add;
  TensorRef out;
  TensorRef a;
  TensorRef b;
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
// A is [m x k] ([k x m] when transA), B is [k x n] ([n x k] when transB).
struct GemmRequest {
  bool transA = false;
  bool transB = false;
  int64_t m = 0, n = 0, k = 0;
  double alpha = 1;
  TensorRef a;
  TensorRef b;
  double beta = 0;
  TensorRef c;
};

}  // namespace gru
