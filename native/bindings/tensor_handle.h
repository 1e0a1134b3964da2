// TensorHandle: the JS object behind each lib/tensor.ts Tensor. It holds a reference to a
// storage plus where the tensor lies in it. release() (dispose) drops the reference at once; the
// finalizer does the same if the user never disposed. Only the handle that allocated a storage
// reports its bytes to V8, so views never double-count.
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
  Napi::Value isReleased(const Napi::CallbackInfo& info);
  void drop();

  TensorRef ref_;
  int64_t reportedBytes_ = 0;
  napi_env env_ = nullptr;
};

}  // namespace gru
