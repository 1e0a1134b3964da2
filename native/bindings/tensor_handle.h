// TensorHandle: the JS object behind each lib/tensor.ts Tensor. It holds a reference to a
// storage plus where the tensor lies in it. release() (dispose) drops the reference at once; the
// finalizer does the same if the user never disposed. Only the handle that allocated a storage
// reports its bytes to V8, so views never double-count.
//
// Note [Finalizers during GC]
// Node runs ordinary Node-API finalizers from setImmediate, after garbage collection, so inside
// a synchronous loop forgotten tensors were collected but never freed (the audit saw 4,000
// forgotten 1 MiB tensors hold 4 GB). The addon is built as an experimental-API module
// (NAPI_VERSION = NAPI_VERSION_EXPERIMENTAL in CMakeLists.txt and binding.gyp), whose
// finalizers run during GC itself. The destructor below may therefore only touch C++ state and
// call Node-API functions that cannot start a collection: not even napi_adjust_external_memory,
// which can (its report is deferred to the next create or release).
#pragma once
#include <napi.h>

#include "../core/tensor_ref.h"

namespace gru {

class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function defineClass(Napi::Env env);
  // Wraps `ref` in a new JS handle; `owner` makes it report the storage's bytes to V8.
  static Napi::Object create(Napi::Env env, TensorRef ref, bool owner);

  explicit TensorHandle(const Napi::CallbackInfo& info);
  ~TensorHandle() override;

  bool released() const { return !ref_.storage; }
  const TensorRef& ref() const { return ref_; }

 private:
  Napi::Value release(const Napi::CallbackInfo& info);
  // insideGc: called by the finalizer, which may not call into V8 (Note [Finalizers during GC]).
  void drop(bool insideGc);

  TensorRef ref_;
  int64_t reportedBytes_ = 0;
  napi_env env_ = nullptr;
};

}  // namespace gru
