// Arithmetic ops: elementwise, reductions, GEMM. lib/ops validates with messages naming the
// user's arguments; these check element counts, dtypes and devices so no call can read or
// write out of bounds.
#include <string>

#include "../addon.h"
#include "args.h"
#include "geometry_arg.h"
#include "js_errors.h"

namespace gru {
namespace {

// (op, out, a, b, geometry | null). int32 tensors take every op but div and pow (an int32
// division by zero would trap).
GRU_BINDING(binary) {
  BinaryRequest r;
  r.op = static_cast<BinaryOp>(intArg(info, 0, "op", 0, kBinaryOpCount - 1));
  r.out = tensorArg(info, 1, "out").ref();
  r.a = tensorArg(info, 2, "a").ref();
  r.b = tensorArg(info, 3, "b").ref();
  if (r.op == BinaryOp::Div || r.op == BinaryOp::Pow) requireFloatDType(r.out.dtype, 1, "out");
  requireSameKind(r.out, r.a, "out", "a");
  requireSameKind(r.out, r.b, "out", "b");
  const bool strided = info.Length() > 4 && !info[4].IsNull() && !info[4].IsUndefined();
  if (strided) {
    r.geometry = geometryArg(info, 4, "geometry");
    if (r.geometry.ndim == 0 || r.geometry.numel() != r.out.numel) {
      throw Error(ErrorKind::Shape, "binary geometry must cover out's " + std::to_string(r.out.numel) + " elements");
    }
    requireWithin(r.geometry, r.geometry.stride0, 0, r.a.numel, "a");
    requireWithin(r.geometry, r.geometry.stride1, 0, r.b.numel, "b");
    if (r.out.storage == r.a.storage || r.out.storage == r.b.storage) {
      throw Error(ErrorKind::Argument, "a broadcasting binary op needs out in memory of its own");
    }
  } else {
    requireNumel(r.a, r.out.numel, "a");
    if (r.b.numel != r.out.numel && r.b.numel != 1) requireNumel(r.b, r.out.numel, "b");
  }
  Addon::of(info.Env()).backend(r.out.device()).binary(r);
  return info.Env().Undefined();
}

// (dst, src, alpha, beta): dst = alpha * src + beta * dst
GRU_BINDING(axpby) {
  AxpbyRequest r;
  r.dst = tensorArg(info, 0, "dst").ref();
  r.src = tensorArg(info, 1, "src").ref();
  r.alpha = numberArg(info, 2, "alpha");
  r.beta = numberArg(info, 3, "beta");
  requireFloatDType(r.dst.dtype, 0, "dst");
  requireSameKind(r.dst, r.src, "dst", "src");
  requireNumel(r.src, r.dst.numel, "src");
  Addon::of(info.Env()).backend(r.dst.device()).axpby(r);
  return info.Env().Undefined();
}

// (out, a): out[0] = sum(a)
GRU_BINDING(sum) {
  SumRequest r;
  r.out = tensorArg(info, 0, "out").ref();
  r.a = tensorArg(info, 1, "a").ref();
  requireFloatDType(r.a.dtype, 1, "a");
  requireSameKind(r.out, r.a, "out", "a");
  requireNumel(r.out, 1, "out");
  Addon::of(info.Env()).backend(r.out.device()).sum(r);
  return info.Env().Undefined();
}

// (transA, transB, m, n, k, alpha, a, b, beta, c[, batch, strideA, strideB, strideC])
GRU_BINDING(gemm) {
  GemmRequest r;
  r.transA = boolArg(info, 0, "transA");
  r.transB = boolArg(info, 1, "transB");
  r.m = intArg(info, 2, "m", 0, 2147483647);
  r.n = intArg(info, 3, "n", 0, 2147483647);
  r.k = intArg(info, 4, "k", 0, 2147483647);
  r.alpha = numberArg(info, 5, "alpha");
  r.a = tensorArg(info, 6, "a").ref();
  r.b = tensorArg(info, 7, "b").ref();
  r.beta = numberArg(info, 8, "beta");
  r.c = tensorArg(info, 9, "c").ref();
  requireFloatDType(r.c.dtype, 9, "c");
  requireSameKind(r.c, r.a, "c", "a");
  requireSameKind(r.c, r.b, "c", "b");
  if (info.Length() > 10) {
    r.batch = intArg(info, 10, "batch", 0, 2147483647);
    r.strideA = intArg(info, 11, "strideA");
    r.strideB = intArg(info, 12, "strideB");
    r.strideC = intArg(info, 13, "strideC");
  }
  // Each operand's last matrix must end inside it (in double: unchecked products may overflow);
  // C's matrices must not overlap, since each is written.
  auto reach = [&](int64_t stride, int64_t size) {
    return r.batch == 0 ? 0.0 : static_cast<double>(r.batch - 1) * static_cast<double>(stride) + static_cast<double>(size);
  };
  if (reach(r.strideA, r.m * r.k) > static_cast<double>(r.a.numel) || reach(r.strideB, r.k * r.n) > static_cast<double>(r.b.numel) ||
      reach(r.strideC, r.m * r.n) > static_cast<double>(r.c.numel)) {
    throw Error(ErrorKind::Shape, "gemm operands are smaller than " + std::to_string(r.batch) + " products of [" + std::to_string(r.m) +
                                      " x " + std::to_string(r.k) + "] and [" + std::to_string(r.k) + " x " + std::to_string(r.n) + "] need");
  }
  if (r.batch > 1 && r.strideC < r.m * r.n) throw Error(ErrorKind::Shape, "gemm output matrices must not overlap (strideC < m * n)");
  r.columnBias = optionalTensorArg(info, 14, "bias");
  if (r.columnBias) {
    requireSameKind(r.c, *r.columnBias, "c", "bias");
    if (r.columnBias->numel != r.n) {
      throw Error(ErrorKind::Shape, "gemm bias must have n = " + std::to_string(r.n) + " elements, got " + std::to_string(r.columnBias->numel));
    }
  }
  if (r.batch == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.c.device()).gemm(r);
  return info.Env().Undefined();
}

}  // namespace

void registerOpsBindings(Napi::Object exports) {
  GRU_EXPORT(exports, binary);
  GRU_EXPORT(exports, axpby);
  GRU_EXPORT(exports, sum);
  GRU_EXPORT(exports, gemm);
}

}  // namespace gru
