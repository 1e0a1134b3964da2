// Storage: one allocation of raw bytes on one device. Shared (std::shared_ptr) between the
// tensors that view it and the queued ops that still read or write it, so dispose() of a
// tensor never frees memory an op needs.
#pragma once
#include <cstddef>
#include <memory>

#include "dtype.h"

namespace gru {

// Frees what it allocated; one per device kind (host: aligned heap; cuda: caching allocator).
class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual void* allocate(size_t bytes) = 0;  // throws gru::Error(OutOfMemory)
  virtual void release(void* ptr, size_t bytes) = 0;
  virtual DeviceKind device() const = 0;
};

// 64-byte aligned heap blocks; large ones are cached for reuse (host_allocator.h).
Allocator& hostAllocator();

class Storage {
 public:
  Storage(Allocator& allocator, size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  DeviceKind device() const { return allocator_.device(); }

 private:
  Allocator& allocator_;
  void* data_;
  size_t bytes_;
};

using StoragePtr = std::shared_ptr<Storage>;

inline StoragePtr makeStorage(Allocator& allocator, size_t bytes) {
  return std::make_shared<Storage>(allocator, bytes);
}

}  // namespace gru
