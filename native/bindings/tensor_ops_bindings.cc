// Bindings of the shape ops and row-wise math: unary functions, strided copies, reductions,
// softmax and gather/scatter. Each checks element counts, dtypes and devices so no call can reach
// memory out of bounds; lib/ops validates first with messages naming the user's arguments.
#include <string>

#include "../addon.h"
#include "args.h"
#include "geometry_arg.h"
#include "js_errors.h"

namespace gru {
namespace {

// [outer, n, inner] from three integer arguments starting at `index`.
struct RowGeometry {
  int64_t outer, n, inner;
  double count() const { return static_cast<double>(outer) * static_cast<double>(n) * static_cast<double>(inner); }
};

RowGeometry rowGeometryArg(const Napi::CallbackInfo& info, size_t index) {
  return {intArg(info, index, "outer"), intArg(info, index + 1, "n"), intArg(info, index + 2, "inner")};
}

// (out, a): a converted to out's dtype.
GRU_BINDING(cast) {
  CastRequest r;
  r.out = tensorArg(info, 0, "out").ref();
  r.a = tensorArg(info, 1, "a").ref();
  if (r.out.device() != r.a.device()) throw Error(ErrorKind::Device, "cast works on one device; move tensors with toDevice");
  requireNumel(r.a, static_cast<double>(r.out.numel), "a");
  if (r.out.storage == r.a.storage) throw Error(ErrorKind::Argument, "cast needs out in memory of its own");
  if (r.out.numel == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.out.device()).cast(r);
  return info.Env().Undefined();
}

// (op, out, a, p0, p1)
GRU_BINDING(unary) {
  UnaryRequest r;
  r.op = static_cast<UnaryOp>(intArg(info, 0, "op", 0, kUnaryOpCount - 1));
  r.out = tensorArg(info, 1, "out").ref();
  r.a = tensorArg(info, 2, "a").ref();
  r.p0 = numberArg(info, 3, "p0");
  r.p1 = numberArg(info, 4, "p1");
  requireFloatDType(r.out.dtype, 1, "out");
  requireSameKind(r.out, r.a, "out", "a");
  requireNumel(r.a, static_cast<double>(r.out.numel), "a");
  Addon::of(info.Env()).backend(r.out.device()).unary(r);
  return info.Env().Undefined();
}

// (op, gradIn, gradOut, x, y, p0, p1)
GRU_BINDING(unaryBackward) {
  UnaryBackwardRequest r;
  r.op = static_cast<UnaryOp>(intArg(info, 0, "op", 0, kUnaryOpCount - 1));
  r.gradIn = tensorArg(info, 1, "gradIn").ref();
  r.gradOut = tensorArg(info, 2, "gradOut").ref();
  r.x = tensorArg(info, 3, "x").ref();
  r.y = tensorArg(info, 4, "y").ref();
  r.p0 = numberArg(info, 5, "p0");
  r.p1 = numberArg(info, 6, "p1");
  requireFloatDType(r.gradIn.dtype, 1, "gradIn");
  for (const auto* t : {&r.gradOut, &r.x, &r.y}) {
    requireSameKind(r.gradIn, *t, "gradIn", "an operand");
    requireNumel(*t, static_cast<double>(r.gradIn.numel), "every operand");
  }
  Addon::of(info.Env()).backend(r.gradIn.device()).unaryBackward(r);
  return info.Env().Undefined();
}

// (dst, dstOffset, src, srcOffset, geometry): stride0 is dst's, stride1 src's.
GRU_BINDING(stridedCopy) {
  const TensorRef& dst = tensorArg(info, 0, "dst").ref();
  const int64_t dstOffset = intArg(info, 1, "dstOffset");
  const TensorRef& src = tensorArg(info, 2, "src").ref();
  const int64_t srcOffset = intArg(info, 3, "srcOffset");
  StridedCopyRequest r;
  r.geometry = geometryArg(info, 4, "geometry");
  requireSameKind(dst, src, "dst", "src");
  requireWithin(r.geometry, r.geometry.stride0, static_cast<double>(dstOffset), dst.numel, "dst");
  requireWithin(r.geometry, r.geometry.stride1, static_cast<double>(srcOffset), src.numel, "src");
  if (dst.storage == src.storage) throw Error(ErrorKind::Argument, "a strided copy needs dst and src in different memory");
  if (r.geometry.numel() == 0) return info.Env().Undefined();
  const size_t item = dtypeSize(dst.dtype);
  r.dst = TensorRef{dst.storage, dst.byteOffset + static_cast<size_t>(dstOffset) * item, dst.numel - dstOffset, dst.dtype};
  r.src = TensorRef{src.storage, src.byteOffset + static_cast<size_t>(srcOffset) * item, src.numel - srcOffset, src.dtype};
  Addon::of(info.Env()).backend(dst.device()).stridedCopy(r);
  return info.Env().Undefined();
}

// (op, out, indices | null, a, outer, n, inner, p)
GRU_BINDING(reduce) {
  ReduceRequest r;
  r.op = static_cast<ReduceOp>(intArg(info, 0, "op", 0, kReduceOpCount - 1));
  r.out = tensorArg(info, 1, "out").ref();
  r.indices = optionalTensorArg(info, 2, "indices");
  r.a = tensorArg(info, 3, "a").ref();
  const RowGeometry g = rowGeometryArg(info, 4);
  r.outer = g.outer;
  r.n = g.n;
  r.inner = g.inner;
  r.p = numberArg(info, 7, "p");
  requireFloatDType(r.a.dtype, 3, "a");
  requireSameKind(r.a, r.out, "a", "out");
  requireNumel(r.a, g.count(), "a");
  requireNumel(r.out, static_cast<double>(g.outer) * static_cast<double>(g.inner), "out");
  const bool extreme = r.op == ReduceOp::Max || r.op == ReduceOp::Min || r.op == ReduceOp::MaxAbs;
  if (extreme && g.n == 0 && r.out.numel > 0) throw Error(ErrorKind::Shape, "max and min of an empty dimension are undefined");
  if (r.indices) {
    if (r.indices->dtype != DType::Int32 || r.indices->device() != r.a.device()) throw Error(ErrorKind::DType, "indices must be int32 on a's device");
    requireNumel(*r.indices, static_cast<double>(r.out.numel), "indices");
    if (!extreme) throw Error(ErrorKind::Argument, "only max and min give indices");
  }
  if (r.out.numel == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.a.device()).reduce(r);
  return info.Env().Undefined();
}

// (log, out, a, outer, n, inner)
GRU_BINDING(softmax) {
  SoftmaxRequest r;
  r.log = boolArg(info, 0, "log");
  r.out = tensorArg(info, 1, "out").ref();
  r.a = tensorArg(info, 2, "a").ref();
  const RowGeometry g = rowGeometryArg(info, 3);
  r.outer = g.outer;
  r.n = g.n;
  r.inner = g.inner;
  requireFloatDType(r.a.dtype, 2, "a");
  requireSameKind(r.a, r.out, "a", "out");
  requireNumel(r.a, g.count(), "a");
  requireNumel(r.out, g.count(), "out");
  if (r.a.numel == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.a.device()).softmax(r);
  return info.Env().Undefined();
}

// (log, gradIn, gradOut, y, outer, n, inner)
GRU_BINDING(softmaxBackward) {
  SoftmaxBackwardRequest r;
  r.log = boolArg(info, 0, "log");
  r.gradIn = tensorArg(info, 1, "gradIn").ref();
  r.gradOut = tensorArg(info, 2, "gradOut").ref();
  r.y = tensorArg(info, 3, "y").ref();
  const RowGeometry g = rowGeometryArg(info, 4);
  r.outer = g.outer;
  r.n = g.n;
  r.inner = g.inner;
  requireFloatDType(r.y.dtype, 3, "y");
  for (const auto* t : {&r.gradIn, &r.gradOut}) {
    requireSameKind(r.y, *t, "y", "a gradient");
    requireNumel(*t, g.count(), "every gradient");
  }
  requireNumel(r.y, g.count(), "y");
  if (r.y.numel == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.y.device()).softmaxBackward(r);
  return info.Env().Undefined();
}

// (perElement, scatter, a, out, index, outer, n, k, inner, what): Note [Gather geometry].
GRU_BINDING(gather) {
  GatherRequest r;
  r.perElement = boolArg(info, 0, "perElement");
  r.scatter = boolArg(info, 1, "scatter");
  r.a = tensorArg(info, 2, "a").ref();
  r.out = tensorArg(info, 3, "out").ref();
  r.index = tensorArg(info, 4, "index").ref();
  r.outer = intArg(info, 5, "outer");
  r.n = intArg(info, 6, "n");
  r.k = intArg(info, 7, "k");
  r.inner = intArg(info, 8, "inner");
  r.what = stringArg(info, 9, "what");
  if (r.scatter) requireFloatDType(r.a.dtype, 2, "a");
  requireSameKind(r.a, r.out, "a", "out");
  if (r.index.dtype != DType::Int32) throw Error(ErrorKind::DType, std::string("index must be int32, got ") + dtypeName(r.index.dtype));
  if (r.index.device() != r.a.device()) throw Error(ErrorKind::Device, "index must be on a's device");
  const double outer = static_cast<double>(r.outer), inner = static_cast<double>(r.inner);
  requireNumel(r.a, outer * static_cast<double>(r.n) * inner, "a");
  requireNumel(r.out, outer * static_cast<double>(r.k) * inner, "out");
  requireNumel(r.index, r.perElement ? outer * static_cast<double>(r.k) * inner : static_cast<double>(r.k), "index");
  if (r.a.storage == r.out.storage) throw Error(ErrorKind::Argument, "gather needs a and out in different memory");
  if (r.out.numel == 0) return info.Env().Undefined();
  Addon::of(info.Env()).backend(r.a.device()).gather(r);
  return info.Env().Undefined();
}

}  // namespace

void registerTensorOpsBindings(Napi::Object exports) {
  GRU_EXPORT(exports, cast);
  GRU_EXPORT(exports, unary);
  GRU_EXPORT(exports, unaryBackward);
  GRU_EXPORT(exports, stridedCopy);
  GRU_EXPORT(exports, reduce);
  GRU_EXPORT(exports, softmax);
  GRU_EXPORT(exports, softmaxBackward);
  GRU_EXPORT(exports, gather);
}

}  // namespace gru
