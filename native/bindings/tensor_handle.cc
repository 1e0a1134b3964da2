#include "tensor_handle.h"

#include "../addon.h"
#include "../core/memory_stats.h"
#include "args.h"
#include "js_errors.h"

namespace gru {

Napi::Function TensorHandle::defineClass(Napi::Env env) {
  return DefineClass(env, "TensorHandle",
                     {InstanceMethod<&TensorHandle::release>("release"),
                      InstanceMethod<&TensorHandle::isReleased>("isReleased")});
}

Napi::Object TensorHandle::create(Napi::Env env, TensorRef ref, bool owner) {
  Napi::Object object = Addon::of(env).tensorConstructor.New({});
  TensorHandle* handle = Unwrap(object);
  handle->ref_ = std::move(ref);
  if (owner) {
    handle->reportedBytes_ = static_cast<int64_t>(handle->ref_.storage->bytes());
    Napi::MemoryManagement::AdjustExternalMemory(env, handle->reportedBytes_);
  }
  memoryStats().liveTensors.fetch_add(1, std::memory_order_relaxed);
  return object;
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<TensorHandle>(info), env_(info.Env()) {}

TensorHandle::~TensorHandle() { drop(); }

void TensorHandle::drop() {
  if (!ref_.storage) return;
  ref_.storage.reset();
  memoryStats().liveTensors.fetch_sub(1, std::memory_order_relaxed);
  if (reportedBytes_ != 0) {
    napi_adjust_external_memory(env_, -reportedBytes_, nullptr);
    reportedBytes_ = 0;
  }
}

Napi::Value TensorHandle::release(const Napi::CallbackInfo& info) {
  drop();
  return info.Env().Undefined();
}

Napi::Value TensorHandle::isReleased(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), released());
}

}  // namespace gru

namespace gru {

TensorHandle& tensorArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsObject() ||
      !info[index].As<Napi::Object>().InstanceOf(Addon::of(env).tensorConstructor.Value())) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a tensor handle");
  }
  TensorHandle* handle = TensorHandle::Unwrap(info[index].As<Napi::Object>());
  if (handle->released()) {
    throw Error(ErrorKind::Disposed, argLabel(index, name) + " is a disposed tensor");
  }
  return *handle;
}

}  // namespace gru
