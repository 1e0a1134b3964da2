// Tensor lifetime and data movement: allocation, upload, views, fills, random draws, reads.
#include <cstring>
#include <memory>

#include "../addon.h"
#include "args.h"
#include "js_errors.h"
#include "tensor_handle.h"
#include "typed_arrays.h"

namespace gru {
namespace {

GRU_BINDING(empty) {
  const DType dtype = dtypeArg(info, 0, "dtype");
  const DeviceKind device = deviceArg(info, 1, "device");
  const int64_t numel = intArg(info, 2, "numel");
  Backend& backend = Addon::of(info.Env()).backend(device);
  TensorRef ref{makeStorage(backend.allocator(), static_cast<size_t>(numel) * dtypeSize(dtype)), 0, numel, dtype};
  return TensorHandle::create(info.Env(), std::move(ref), true);
}

// (typedArray, dtype, device): copies the array's bytes into a new tensor of that dtype.
GRU_BINDING(fromTypedArray) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Error(ErrorKind::Argument, "argument 0 (data) must be a typed array");
  Napi::TypedArray array = info[0].As<Napi::TypedArray>();
  const DType dtype = dtypeArg(info, 1, "dtype");
  const DeviceKind device = deviceArg(info, 2, "device");
  if (array.TypedArrayType() != typedArrayTypeOf(dtype)) {
    throw Error(ErrorKind::DType, std::string("argument 0 (data) must be the typed array of dtype ") + dtypeName(dtype));
  }
  const int64_t numel = static_cast<int64_t>(array.ElementLength());
  Backend& backend = Addon::of(info.Env()).backend(device);
  TensorRef ref{makeStorage(backend.allocator(), static_cast<size_t>(numel) * dtypeSize(dtype)), 0, numel, dtype};
  const auto* bytes = static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  backend.uploadNew(ref, bytes);
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

GRU_BINDING(readSync) {
  const TensorRef& ref = tensorArg(info, 0, "tensor").ref();
  Napi::Env env = info.Env();
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, ref.bytes());
  Addon::of(env).backend(ref.device()).readSync(ref, buffer.Data());
  return typedArrayOver(env, buffer, ref.dtype, ref.numel);
}

struct PendingRead {
  Napi::Promise::Deferred deferred;
  DType dtype;
  std::vector<uint8_t> bytes;
  std::exception_ptr error;
};

void settleRead(Napi::Env env, Napi::Function, std::nullptr_t*, PendingRead* raw) {
  std::unique_ptr<PendingRead> read(raw);
  if (env == nullptr) return;  // the environment is shutting down; nobody awaits any more
  if (read->error) {
    read->deferred.Reject(makeJsError(env, read->error));
    return;
  }
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, read->bytes.size());
  if (!read->bytes.empty()) std::memcpy(buffer.Data(), read->bytes.data(), read->bytes.size());
  const int64_t numel = static_cast<int64_t>(read->bytes.size() / dtypeSize(read->dtype));
  read->deferred.Resolve(typedArrayOver(env, buffer, read->dtype, numel));
}

using ReadSettler = Napi::TypedThreadSafeFunction<std::nullptr_t, PendingRead, settleRead>;

// Resolves with a typed array once every op queued before it has run; never blocks the loop.
GRU_BINDING(readAsync) {
  Napi::Env env = info.Env();
  const TensorRef& ref = tensorArg(info, 0, "tensor").ref();
  auto read = std::make_unique<PendingRead>(PendingRead{Napi::Promise::Deferred::New(env), ref.dtype, {}, nullptr});
  Napi::Promise promise = read->deferred.Promise();
  ReadSettler settler = ReadSettler::New(env, "gru-native read", 0, 1);
  PendingRead* pending = read.release();
  try {
    Addon::of(env).backend(ref.device()).readAsync(ref, [settler, pending](std::vector<uint8_t> bytes, std::exception_ptr error) mutable {
      pending->bytes = std::move(bytes);
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
  Addon::of(info.Env()).backend(ref.device()).fill(ref, value);
  return info.Env().Undefined();
}

// (dst, src): same dtype and element count, may be on different devices later (to()).
GRU_BINDING(copy) {
  const TensorRef& dst = tensorArg(info, 0, "dst").ref();
  const TensorRef& src = tensorArg(info, 1, "src").ref();
  if (dst.numel != src.numel || dst.dtype != src.dtype) throw Error(ErrorKind::Shape, "copy needs tensors of equal size and dtype");
  if (dst.device() != src.device()) throw Error(ErrorKind::Device, "copy between devices is not supported in this build");
  Addon::of(info.Env()).backend(dst.device()).copy(dst, src);
  return info.Env().Undefined();
}

void requireFloating(const TensorRef& ref, const char* op) {
  if (ref.dtype == DType::Int32) throw Error(ErrorKind::DType, std::string(op) + " needs a float32 or float64 tensor, got int32");
}

// (handle, seed: bigint, offset: number, low, high) => words consumed
GRU_BINDING(uniform) {
  const TensorRef& ref = tensorArg(info, 0, "tensor").ref();
  requireFloating(ref, "uniform");
  const uint64_t seed = bigUintArg(info, 1, "seed");
  const uint64_t offset = static_cast<uint64_t>(intArg(info, 2, "offset"));
  const uint64_t words = Addon::of(info.Env()).backend(ref.device()).uniform(ref, seed, offset, numberArg(info, 3, "low"), numberArg(info, 4, "high"));
  return Napi::Number::New(info.Env(), static_cast<double>(words));
}

// (handle, seed: bigint, offset: number, mean, std) => words consumed
GRU_BINDING(normal) {
  const TensorRef& ref = tensorArg(info, 0, "tensor").ref();
  requireFloating(ref, "normal");
  const uint64_t seed = bigUintArg(info, 1, "seed");
  const uint64_t offset = static_cast<uint64_t>(intArg(info, 2, "offset"));
  const uint64_t words = Addon::of(info.Env()).backend(ref.device()).normal(ref, seed, offset, numberArg(info, 3, "mean"), numberArg(info, 4, "std"));
  return Napi::Number::New(info.Env(), static_cast<double>(words));
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
  exports.Set("empty", Napi::Function::New(env, empty, "empty"));
  exports.Set("fromTypedArray", Napi::Function::New(env, fromTypedArray, "fromTypedArray"));
  exports.Set("view", Napi::Function::New(env, view, "view"));
  exports.Set("readSync", Napi::Function::New(env, readSync, "readSync"));
  exports.Set("readAsync", Napi::Function::New(env, readAsync, "readAsync"));
  exports.Set("fill", Napi::Function::New(env, fill, "fill"));
  exports.Set("copy", Napi::Function::New(env, copy, "copy"));
  exports.Set("uniform", Napi::Function::New(env, uniform, "uniform"));
  exports.Set("normal", Napi::Function::New(env, normal, "normal"));
  exports.Set("synchronize", Napi::Function::New(env, synchronize, "synchronize"));
}

}  // namespace gru
