#include "host_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "errors.h"
#include "memory_stats.h"

namespace gru {
namespace {

// 64-byte alignment keeps AVX loads aligned and rows of small tensors off shared cache lines.
constexpr size_t kHostAlignment = 64;
constexpr size_t kCachedMinBytes = size_t{1} << 20;
constexpr size_t kMaxIdleCap = size_t{1} << 30;

// Size classes: 64 KiB steps up to 512 KiB granularity, then eighths of the power of two below,
// so similar shapes (another batch size) share classes while waste stays under 12.5%.
size_t sizeClass(size_t bytes) {
  size_t power = size_t{1} << 20;
  while (power * 2 <= bytes) power *= 2;
  const size_t step = std::max<size_t>(power / 8, size_t{64} << 10);
  return (bytes + step - 1) / step * step;
}

// Small blocks (Note [host block cache]): quarter steps between powers of two from 64 bytes, so
// a cached block wastes under 25%; at most kSmallIdleCap bytes of them idle.
constexpr size_t kSmallMaxBytes = size_t{512} << 10;
constexpr size_t kSmallIdleCap = size_t{64} << 20;

size_t smallClass(size_t bytes) {
  if (bytes <= kHostAlignment) return kHostAlignment;
  size_t power = kHostAlignment;
  while (power * 2 <= bytes) power *= 2;
  const size_t step = std::max(power / 4, kHostAlignment);
  return (bytes + step - 1) / step * step;
}

// At most 1 GiB idle, and at most an eighth of physical memory on small machines.
size_t idleCap() {
  const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || pageSize <= 0) return kMaxIdleCap;
  return std::min(kMaxIdleCap, static_cast<size_t>(pages) * static_cast<size_t>(pageSize) / 8);
}

// Blocks from 16 MiB (a large model's gradients, logits and optimizer states) ask for 2 MiB
// pages where the kernel leaves that to madvise: fewer TLB misses over the GEMMs' strided rows and
// the passes over whole tensors, W's training step about 1.5% faster. Their size classes are
// already multiples of 2 MiB, so no memory is added.
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHugePageMinBytes = size_t{16} << 20;

void* alignedAllocate(size_t bytes) {
  size_t rounded = (bytes + kHostAlignment - 1) / kHostAlignment * kHostAlignment;
  if (rounded == 0) rounded = kHostAlignment;
#ifdef MADV_HUGEPAGE
  if (rounded >= kHugePageMinBytes) {
    rounded = (rounded + kHugePage - 1) / kHugePage * kHugePage;
    if (void* ptr = std::aligned_alloc(kHugePage, rounded)) {
      madvise(ptr, rounded, MADV_HUGEPAGE);  // advice only: refused, the block keeps small pages
      return ptr;
    }
  }
#endif
  void* ptr = std::aligned_alloc(kHostAlignment, rounded);
  if (ptr == nullptr) {
    throw Error(ErrorKind::OutOfMemory, "out of host memory: could not allocate " + std::to_string(bytes) + " bytes",
                "ENOMEM");
  }
  return ptr;
}

class HostAllocator final : public Allocator {
 public:
  void* allocate(size_t bytes) override {
    if (bytes <= kSmallMaxBytes) return allocateSmall(bytes);
    if (bytes < kCachedMinBytes) return alignedAllocate(bytes);
    const size_t size = sizeClass(bytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = idle_.find(size);
      if (it != idle_.end()) {
        void* ptr = it->second;
        idle_.erase(it);
        setIdleBytes(idleBytes_ - size);
        return ptr;
      }
    }
    try {
      return alignedAllocate(size);
    } catch (const Error&) {
      // The cache may hold what the request needs: give it back and try once more.
      if (emptyCache() == 0) throw;
      return alignedAllocate(size);
    }
  }

  void release(void* ptr, size_t bytes) override {
    if (bytes <= kSmallMaxBytes) {
      releaseSmall(ptr, bytes);
      return;
    }
    if (bytes < kCachedMinBytes) {
      std::free(ptr);
      return;
    }
    const size_t size = sizeClass(bytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (idleBytes_ + size <= cap_) {
        idle_.emplace(size, ptr);
        setIdleBytes(idleBytes_ + size);
        return;
      }
    }
    std::free(ptr);
  }

  DeviceKind device() const override { return DeviceKind::Cpu; }

  size_t emptyCache() {
    std::vector<void*> blocks;
    size_t released = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& [size, ptr] : idle_) blocks.push_back(ptr);
      for (auto& [size, free] : smallIdle_) blocks.insert(blocks.end(), free.begin(), free.end());
      idle_.clear();
      smallIdle_.clear();
      smallIdleBytes_ = 0;
      released = idleBytes_;
      setIdleBytes(0);
    }
    for (void* ptr : blocks) std::free(ptr);
    return released;
  }

 private:
  void* allocateSmall(size_t bytes) {
    const size_t size = smallClass(bytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      std::vector<void*>& free = smallIdle_[size];
      if (!free.empty()) {
        void* ptr = free.back();
        free.pop_back();
        smallIdleBytes_ -= size;
        setIdleBytes(idleBytes_ - size);
        return ptr;
      }
    }
    return alignedAllocate(size);
  }

  void releaseSmall(void* ptr, size_t bytes) {
    const size_t size = smallClass(bytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (smallIdleBytes_ + size <= kSmallIdleCap && idleBytes_ + size <= cap_) {
        smallIdle_[size].push_back(ptr);
        smallIdleBytes_ += size;
        setIdleBytes(idleBytes_ + size);
        return;
      }
    }
    std::free(ptr);
  }

  // Callers hold mutex_.
  void setIdleBytes(size_t bytes) {
    idleBytes_ = bytes;
    memoryStats().hostCachedBytes.store(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  }

  std::mutex mutex_;
  std::multimap<size_t, void*> idle_;
  std::unordered_map<size_t, std::vector<void*>> smallIdle_;
  size_t smallIdleBytes_ = 0;
  size_t idleBytes_ = 0;  // both caches
  const size_t cap_ = idleCap();
};

HostAllocator& instance() {
  // Never destroyed: storages released during process exit may still return blocks to it.
  static HostAllocator* allocator = new HostAllocator();
  return *allocator;
}

}  // namespace

Allocator& hostAllocator() { return instance(); }

size_t emptyHostCache() { return instance().emptyCache(); }

}  // namespace gru
