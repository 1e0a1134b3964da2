// A plain description of a tensor's bytes that backends compute on: the storage (kept alive by
// holding this), where the tensor starts in it, how many elements and of which type. Shapes stay
// in JS, which validates them; ops receive their dimensions explicitly.
#pragma once
#include <cstdint>

#include "dtype.h"
#include "storage.h"

namespace gru {

struct TensorRef {
  StoragePtr storage;
  size_t byteOffset = 0;
  int64_t numel = 0;
  DType dtype = DType::Float32;

  size_t bytes() const { return static_cast<size_t>(numel) * dtypeSize(dtype); }
  DeviceKind device() const { return storage->device(); }
  void* raw() const { return static_cast<char*>(storage->data()) + byteOffset; }
  template <typename T>
  T* data() const { return static_cast<T*>(raw()); }
};

}  // namespace gru
