#include "storage.h"

#include <cstdlib>
#include <string>

#include "errors.h"
#include "memory_stats.h"

namespace gru {

MemoryStats& memoryStats() {
  static MemoryStats stats;
  return stats;
}

namespace {

// 64-byte alignment keeps AVX loads aligned and rows of small tensors off shared cache lines.
constexpr size_t kHostAlignment = 64;

class HostAllocator final : public Allocator {
 public:
  void* allocate(size_t bytes) override {
    size_t rounded = (bytes + kHostAlignment - 1) / kHostAlignment * kHostAlignment;
    if (rounded == 0) rounded = kHostAlignment;
    void* ptr = std::aligned_alloc(kHostAlignment, rounded);
    if (ptr == nullptr) {
      throw Error(ErrorKind::OutOfMemory,
                  "out of host memory: could not allocate " + std::to_string(bytes) + " bytes",
                  "ENOMEM");
    }
    return ptr;
  }
  void release(void* ptr, size_t) override { std::free(ptr); }
  DeviceKind device() const override { return DeviceKind::Cpu; }
};

}  // namespace

Allocator& hostAllocator() {
  static HostAllocator allocator;
  return allocator;
}

Storage::Storage(Allocator& allocator, size_t bytes)
    : allocator_(allocator), data_(allocator.allocate(bytes)), bytes_(bytes) {
  memoryStats().addBytes(allocator_.device(), static_cast<int64_t>(bytes_));
}

Storage::~Storage() {
  allocator_.release(data_, bytes_);
  memoryStats().addBytes(allocator_.device(), -static_cast<int64_t>(bytes_));
}

}  // namespace gru
