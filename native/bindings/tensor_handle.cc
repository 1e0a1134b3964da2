#include "tensor_handle.h"

#include "../addon.h"
#include "../core/memory_stats.h"
#include "args.h"
#include "js_errors.h"

namespace gru {
namespace {

// Telling V8 about external memory costs microseconds per call, as much as creating the handle.
// Small tensors are therefore reported in batches of at least this many bytes (per JS thread;
// handles are only created and finalized there), large ones at once. A finalizer only adds to
// the batch: it runs inside the garbage collector (Note [Finalizers during GC]), where a report
// can start another collection and deadlock V8; the next create() or release() sends it.
constexpr int64_t kExternalReportBatch = 1 << 20;
thread_local int64_t unreportedExternalBytes = 0;

void reportExternalMemory(napi_env env, int64_t delta, bool insideGc) {
  unreportedExternalBytes += delta;
  if (insideGc) return;
  if (unreportedExternalBytes >= kExternalReportBatch || unreportedExternalBytes <= -kExternalReportBatch) {
    int64_t ignored = 0;
    napi_adjust_external_memory(env, unreportedExternalBytes, &ignored);
    unreportedExternalBytes = 0;
  }
}

}  // namespace

Napi::Function TensorHandle::defineClass(Napi::Env env) {
  return DefineClass(env, "TensorHandle", {InstanceMethod<&TensorHandle::release>("release")});
}

Napi::Object TensorHandle::create(Napi::Env env, TensorRef ref, bool owner) {
  Napi::Object object = Addon::of(env).tensorConstructor.New({});
  TensorHandle* handle = Unwrap(object);
  handle->ref_ = std::move(ref);
  if (owner) {
    handle->reportedBytes_ = static_cast<int64_t>(handle->ref_.storage->bytes());
    reportExternalMemory(env, handle->reportedBytes_, false);
  }
  memoryStats().liveTensors.fetch_add(1, std::memory_order_relaxed);
  return object;
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<TensorHandle>(info), env_(info.Env()) {}

TensorHandle::~TensorHandle() { drop(true); }

void TensorHandle::drop(bool insideGc) {
  if (!ref_.storage) return;
  ref_.storage.reset();
  memoryStats().liveTensors.fetch_sub(1, std::memory_order_relaxed);
  if (reportedBytes_ != 0) {
    reportExternalMemory(env_, -reportedBytes_, insideGc);
    reportedBytes_ = 0;
  }
}

Napi::Value TensorHandle::release(const Napi::CallbackInfo& info) {
  drop(false);
  return info.Env().Undefined();
}

TensorHandle& tensorValue(Napi::Env env, Napi::Value value, const std::string& label) {
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(Addon::of(env).tensorConstructor.Value())) {
    throw Error(ErrorKind::Argument, label + " must be a tensor handle");
  }
  TensorHandle* handle = TensorHandle::Unwrap(value.As<Napi::Object>());
  if (handle->released()) throw Error(ErrorKind::Disposed, label + " is a disposed tensor");
  return *handle;
}

TensorHandle& tensorArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length()) throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a tensor handle");
  return tensorValue(info.Env(), info[index], argLabel(index, name));
}

}  // namespace gru
