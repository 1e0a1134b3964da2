#include "storage.h"

#include "memory_stats.h"

namespace gru {

MemoryStats& memoryStats() {
  static MemoryStats stats;
  return stats;
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
