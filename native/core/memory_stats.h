// Process-wide counters behind memory(): live bytes per device and live tensor handles.
#pragma once
#include <atomic>
#include <cstdint>

#include "dtype.h"

namespace gru {

struct MemoryStats {
  std::atomic<int64_t> hostBytes{0};
  std::atomic<int64_t> hostCachedBytes{0};    // large host blocks kept for reuse (host_allocator.h)
  std::atomic<int64_t> deviceBytes{0};        // bytes handed out to live storages
  std::atomic<int64_t> deviceCachedBytes{0};  // bytes kept by the caching allocator, free for reuse
  std::atomic<int64_t> liveTensors{0};

  void addBytes(DeviceKind d, int64_t delta) {
    (d == DeviceKind::Cpu ? hostBytes : deviceBytes).fetch_add(delta, std::memory_order_relaxed);
  }
};

MemoryStats& memoryStats();

}  // namespace gru
