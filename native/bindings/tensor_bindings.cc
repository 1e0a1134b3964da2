// Tensor lifetime and data movement: allocation, upload, views, fills, copies, random draws,
// reads. Reads copy into a typed array lib/ allocated, so a failed allocation is a catchable JS
// error there rather than a fatal V8 one here.
#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

#include "../addon.h"
#include "../ops/random_values.h"
#include "args.h"
#include "js_errors.h"
#include "tensor_handle.h"
#include "typed_arrays.h"

namespace gru {
namespace {

TensorRef allocate(Backend& backend, DType dtype, int64_t numel) {
  return TensorRef{makeStorage(backend.allocator(), static_cast<size_t>(numel) * dtypeSize(dtype)), 0, numel, dtype};
}

std::string formatNumber(double value) {
  std::ostringstream out;
  out << std::setprecision(17) << value;
  return out.str();
}

// A value fill() can store exactly: int32 needs an integer in range; float32 a value inside its
// range (or an infinity or NaN, as PyTorch allows).
void checkStorable(double value, DType dtype) {
  if (dtype == DType::Int32) {
    if (!(std::floor(value) == value && value >= -2147483648.0 && value <= 2147483647.0)) {
      throw Error(ErrorKind::DType, "fill value " + formatNumber(value) +
                                        " cannot be stored exactly in an int32 tensor");
    }
  } else if (dtype == DType::Float32 && std::isfinite(value) && std::fabs(value) > std::numeric_limits<float>::max()) {
    throw Error(ErrorKind::DType, "fill value " + formatNumber(value) + " overflows float32");
  }
}

// (dtype, device, numel)
GRU_BINDING(empty) {
  const DType dtype = dtypeArg(info, 0, "dtype");
  Backend& backend = Addon::of(info.Env()).backend(deviceArg(info, 1, "device"));
  return TensorHandle::create(info.Env(), allocate(backend, dtype, intArg(info, 2, "numel")), true);
}

// (dtype, device, numel, value): empty + fill, checked before anything is allocated.
GRU_BINDING(full) {
  const DType dtype = dtypeArg(info, 0, "dtype");
  Backend& backend = Addon::of(info.Env()).backend(deviceArg(info, 1, "device"));
  const int64_t numel = intArg(info, 2, "numel");
  const double value = numberArg(info, 3, "value");
  checkStorable(value, dtype);
  TensorRef ref = allocate(backend, dtype, numel);
  backend.fill(FillRequest{ref, value});
  return TensorHandle::create(info.Env(), std::move(ref), true);
}

// (typedArray, dtype, device): copies the array's bytes into a new tensor of that dtype.
GRU_BINDING(fromTypedArray) {
  const TypedArrayView array = typedArrayArg(info, 0, "data");
  const DType dtype = dtypeArg(info, 1, "dtype");
  Backend& backend = Addon::of(info.Env()).backend(deviceArg(info, 2, "device"));
  if (array.type != typedArrayTypeOf(dtype)) {
    throw Error(ErrorKind::DType, std::string("argument 0 (data) must be the typed array of dtype ") + dtypeName(dtype));
  }
  TensorRef ref = allocate(backend, dtype, static_cast<int64_t>(array.length));
  backend.uploadNew(ref, array.data);
  return TensorHandle::create(info.Env(), std::move(ref), true);
}

// (handle, elementOffset, numel): a view sharing the storage.
GRU_BINDING(view) {
  const TensorRef& base = tensorArg(info, 0, "tensor").ref();
  const int64_t offset = intArg(info, 1, "elementOffset");
  const int64_t numel = intArg(info, 2, "numel");
  if (offset + numel > base.numel) {
    throw Error(ErrorKind::Shape, "view of elements [" + std::to_string(offset) + ", " + std::to_string(offset + numel) +
                                      ") is outside a tensor of " + std::to_string(base.numel) + " elements");
  }
  TensorRef ref{base.storage, base.byteOffset + static_cast<size_t>(offset) * dtypeSize(base.dtype), numel, base.dtype};
  return TensorHandle::create(info.Env(), std::move(ref), false);
}

// The destination typed array of a read: the tensor's dtype and element count.
void* readDestination(const Napi::CallbackInfo& info, const TensorRef& ref) {
  const TypedArrayView dst = typedArrayArg(info, 1, "destination");
  if (dst.type != typedArrayTypeOf(ref.dtype) || dst.length != static_cast<size_t>(ref.numel)) {
    throw Error(ErrorKind::Shape, std::string("argument 1 (destination) must be a typed array of ") +
                                      std::to_string(ref.numel) + " " + dtypeName(ref.dtype) + " elements");
  }
  return dst.data;
}

// (handle, destination): blocks until queued work is done, then copies the values.
GRU_BINDING(readSync) {
  const TensorRef& ref = tensorArg(info, 0, "tensor").ref();
  void* dst = readDestination(info, ref);
  Addon::of(info.Env()).backend(ref.device()).readSync(ref, dst);
  return info.Env().Undefined();
}

struct PendingRead {
  Napi::Promise::Deferred deferred;
  Napi::Reference<Napi::Value> destination;  // keeps the typed array (and its bytes) alive
  std::exception_ptr error;
};

void settleRead(Napi::Env env, Napi::Function, std::nullptr_t*, PendingRead* raw) {
  std::unique_ptr<PendingRead> read(raw);
  if (env == nullptr) return;  // the environment is shutting down; nobody awaits any more
  if (read->error) read->deferred.Reject(makeJsError(env, read->error));
  else read->deferred.Resolve(read->destination.Value());
}

using ReadSettler = Napi::TypedThreadSafeFunction<std::nullptr_t, PendingRead, settleRead>;

// (handle, destination) => Promise<destination>, resolved once every op queued before it has
// run and the values are in `destination`; never blocks the loop.
GRU_BINDING(readAsync) {
  Napi::Env env = info.Env();
  const TensorRef& ref = tensorArg(info, 0, "tensor").ref();
  void* dst = readDestination(info, ref);
  auto read = std::make_unique<PendingRead>(PendingRead{Napi::Promise::Deferred::New(env), Napi::Persistent(info[1]), nullptr});
  Napi::Promise promise = read->deferred.Promise();
  ReadSettler settler = ReadSettler::New(env, "gru-native read", 0, 1);
  PendingRead* pending = read.release();
  try {
    Addon::of(env).backend(ref.device()).readAsync(ref, dst, [settler, pending](std::exception_ptr error) mutable {
      pending->error = error;
      settler.BlockingCall(pending);
      settler.Release();
    });
  } catch (...) {
    settler.Release();
    pending->deferred.Reject(makeJsError(env, std::current_exception()));
    delete pending;
  }
  return promise;
}

// (handle, value)
GRU_BINDING(fill) {
  const TensorRef& ref = tensorArg(info, 0, "tensor").ref();
  const double value = numberArg(info, 1, "value");
  checkStorable(value, ref.dtype);
  Addon::of(info.Env()).backend(ref.device()).fill(FillRequest{ref, value});
  return info.Env().Undefined();
}

// (dst, dstOffset, dstRowStride, src, srcOffset, srcRowStride, rows, rowElements): a block copy
// on one device (CopyRequest); offsets and strides in elements. A plain copy is
// (dst, 0, n, src, 0, n, 1, n) with n the element count of both.
GRU_BINDING(copy) {
  const TensorRef& dstBase = tensorArg(info, 0, "dst").ref();
  const int64_t dstOffset = intArg(info, 1, "dstOffset"), dstStride = intArg(info, 2, "dstRowStride");
  const TensorRef& srcBase = tensorArg(info, 3, "src").ref();
  const int64_t srcOffset = intArg(info, 4, "srcOffset"), srcStride = intArg(info, 5, "srcRowStride");
  const int64_t rows = intArg(info, 6, "rows"), rowElements = intArg(info, 7, "rowElements");
  if (dstBase.dtype != srcBase.dtype) {
    throw Error(ErrorKind::DType, std::string("copy needs tensors of one dtype, got ") + dtypeName(dstBase.dtype) + " and " +
                                      dtypeName(srcBase.dtype));
  }
  if (dstBase.device() != srcBase.device()) {
    throw Error(ErrorKind::Device, "copy works on one device; move tensors between devices with toDevice");
  }
  // The last element each side touches must lie inside it (in double: unchecked products may overflow).
  auto extent = [&](int64_t offset, int64_t stride) {
    return rows == 0 || rowElements == 0 ? 0.0
                                         : static_cast<double>(offset) + static_cast<double>(rows - 1) * static_cast<double>(stride) +
                                               static_cast<double>(rowElements);
  };
  if (extent(dstOffset, dstStride) > static_cast<double>(dstBase.numel) || extent(srcOffset, srcStride) > static_cast<double>(srcBase.numel)) {
    throw Error(ErrorKind::Shape, "copy of " + std::to_string(rows) + " rows of " + std::to_string(rowElements) +
                                      " elements reaches outside dst (" + std::to_string(dstBase.numel) + " elements) or src (" +
                                      std::to_string(srcBase.numel) + " elements)");
  }
  if (rows > 1 && (dstStride < rowElements || srcStride < rowElements)) {
    throw Error(ErrorKind::Shape, "copy row strides must be at least the row length");
  }
  if (rows == 0 || rowElements == 0) return info.Env().Undefined();
  const size_t item = dtypeSize(dstBase.dtype);
  CopyRequest r;
  r.dst = TensorRef{dstBase.storage, dstBase.byteOffset + static_cast<size_t>(dstOffset) * item, dstBase.numel - dstOffset, dstBase.dtype};
  r.src = TensorRef{srcBase.storage, srcBase.byteOffset + static_cast<size_t>(srcOffset) * item, srcBase.numel - srcOffset, srcBase.dtype};
  r.rows = rows;
  r.rowElements = rowElements;
  r.dstRowStride = dstStride;
  r.srcRowStride = srcStride;
  if (rows > 1 && r.dst.storage == r.src.storage) {
    throw Error(ErrorKind::Argument, "a copy of several rows needs dst and src in different memory");
  }
  Addon::of(info.Env()).backend(dstBase.device()).copy(r);
  return info.Env().Undefined();
}

// (handle, distribution, seed: bigint, offset: number, a, b) => generator words consumed.
// Uniform on [a, b) or normal with mean a and standard deviation b.
GRU_BINDING(random) {
  const TensorRef& ref = tensorArg(info, 0, "tensor").ref();
  requireFloatDType(ref.dtype, 0, "tensor");
  RandomRequest r;
  r.dst = ref;
  r.distribution = static_cast<Distribution>(intArg(info, 1, "distribution", 0, kDistributionCount - 1));
  r.seed = bigUintArg(info, 2, "seed");
  r.offset = static_cast<uint64_t>(intArg(info, 3, "offset"));
  r.a = numberArg(info, 4, "a");
  r.b = numberArg(info, 5, "b");
  const double limit = ref.dtype == DType::Float32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  if (!(std::fabs(r.a) <= limit && std::fabs(r.b) <= limit)) {
    throw Error(ErrorKind::Argument, std::string("arguments 4 and 5 (a, b) must be finite in ") + dtypeName(ref.dtype));
  }
  if (r.distribution == Distribution::Uniform ? r.b < r.a : r.b < 0) {
    throw Error(ErrorKind::Argument, "arguments 4 and 5 (a, b): uniform needs a <= b, normal a standard deviation b >= 0");
  }
  Addon::of(info.Env()).backend(ref.device()).random(r);
  return Napi::Number::New(info.Env(), static_cast<double>(randomDrawWords(r.distribution, ref.numel, ref.dtype == DType::Float64)));
}

// (device)
GRU_BINDING(synchronize) {
  Addon::of(info.Env()).backend(deviceArg(info, 0, "device")).synchronize();
  return info.Env().Undefined();
}

}  // namespace

void registerTensorBindings(Napi::Env env, Napi::Object exports, Addon& addon) {
  Napi::Function tensorClass = TensorHandle::defineClass(env);
  addon.tensorConstructor = Napi::Persistent(tensorClass);
  exports.Set("TensorHandle", tensorClass);
  GRU_EXPORT(exports, empty);
  GRU_EXPORT(exports, full);
  GRU_EXPORT(exports, fromTypedArray);
  GRU_EXPORT(exports, view);
  GRU_EXPORT(exports, readSync);
  GRU_EXPORT(exports, readAsync);
  GRU_EXPORT(exports, fill);
  GRU_EXPORT(exports, copy);
  GRU_EXPORT(exports, random);
  GRU_EXPORT(exports, synchronize);
}

}  // namespace gru
