// Arithmetic ops: elementwise, reductions, GEMM. lib/ops validates with friendly messages; these
// re-check element counts, dtypes and devices so no call can read or write out of bounds.
#include <string>

#include "../addon.h"
#include "args.h"
#include "js_errors.h"

namespace gru {
namespace {

void requireSameKind(const TensorRef& a, const TensorRef& b, const char* aName, const char* bName) {
  if (a.dtype != b.dtype) {
    throw Error(ErrorKind::DType, std::string(bName) + " has dtype " + dtypeName(b.dtype) + " but " + aName + " has " + dtypeName(a.dtype));
  }
  if (a.device() != b.device()) {
    throw Error(ErrorKind::Device, std::string(bName) + " is on " + deviceName(b.device()) + " but " + aName + " is on " + deviceName(a.device()));
  }
}

void requireFloat(const TensorRef& a, const char* name) {
  if (a.dtype == DType::Int32) throw Error(ErrorKind::DType, std::string(name) + " must be float32 or float64, got int32");
}

void requireNumel(const TensorRef& a, int64_t numel, const char* name) {
  if (a.numel != numel) {
    throw Error(ErrorKind::Shape, std::string(name) + " must have " + std::to_string(numel) + " elements, got " + std::to_string(a.numel));
  }
}

// (op, out, a, b)
GRU_BINDING(binary) {
  const int64_t op = intArg(info, 0, "op");
  if (op > static_cast<int64_t>(BinaryOp::Div)) throw Error(ErrorKind::Argument, "argument 0 (op) is not a binary op code");
  const TensorRef& out = tensorArg(info, 1, "out").ref();
  const TensorRef& a = tensorArg(info, 2, "a").ref();
  const TensorRef& b = tensorArg(info, 3, "b").ref();
  requireSameKind(out, a, "out", "a");
  requireSameKind(out, b, "out", "b");
  requireNumel(a, out.numel, "a");
  if (b.numel != out.numel && b.numel != 1) requireNumel(b, out.numel, "b");
  Addon::of(info.Env()).backend(out.device()).binary(static_cast<BinaryOp>(op), out, a, b);
  return info.Env().Undefined();
}

// (dst, src, alpha, beta): dst = alpha * src + beta * dst
GRU_BINDING(axpby) {
  const TensorRef& dst = tensorArg(info, 0, "dst").ref();
  const TensorRef& src = tensorArg(info, 1, "src").ref();
  requireFloat(dst, "dst");
  requireSameKind(dst, src, "dst", "src");
  requireNumel(src, dst.numel, "src");
  Addon::of(info.Env()).backend(dst.device()).axpby(dst, src, numberArg(info, 2, "alpha"), numberArg(info, 3, "beta"));
  return info.Env().Undefined();
}

// (out, a): out[0] = sum(a)
GRU_BINDING(sum) {
  const TensorRef& out = tensorArg(info, 0, "out").ref();
  const TensorRef& a = tensorArg(info, 1, "a").ref();
  requireFloat(a, "a");
  requireSameKind(out, a, "out", "a");
  requireNumel(out, 1, "out");
  Addon::of(info.Env()).backend(out.device()).sum(out, a);
  return info.Env().Undefined();
}

// (transA, transB, m, n, k, alpha, a, b, beta, c)
GRU_BINDING(gemm) {
  const bool transA = boolArg(info, 0, "transA");
  const bool transB = boolArg(info, 1, "transB");
  const int64_t limit = 2147483647;
  const int64_t m = intArg(info, 2, "m"), n = intArg(info, 3, "n"), k = intArg(info, 4, "k");
  if (m > limit || n > limit || k > limit) throw Error(ErrorKind::Shape, "gemm dimensions must fit in 32 bits");
  const double alpha = numberArg(info, 5, "alpha");
  const TensorRef& a = tensorArg(info, 6, "a").ref();
  const TensorRef& b = tensorArg(info, 7, "b").ref();
  const double beta = numberArg(info, 8, "beta");
  const TensorRef& c = tensorArg(info, 9, "c").ref();
  requireFloat(c, "c");
  requireSameKind(c, a, "c", "a");
  requireSameKind(c, b, "c", "b");
  requireNumel(a, m * k, "a");
  requireNumel(b, k * n, "b");
  requireNumel(c, m * n, "c");
  Addon::of(info.Env()).backend(c.device()).gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
  return info.Env().Undefined();
}

}  // namespace

void registerOpsBindings(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, binary, "binary"));
  exports.Set("axpby", Napi::Function::New(env, axpby, "axpby"));
  exports.Set("sum", Napi::Function::New(env, sum, "sum"));
  exports.Set("gemm", Napi::Function::New(env, gemm, "gemm"));
}

}  // namespace gru
