// Note [CUDA caching allocator]
// Device memory for storages and scratch buffers. Sizes are rounded to size classes (512-byte
// multiples up to 1 MiB, 2 MiB multiples above); a released block goes to its class's free
// list and the next allocation of that class takes it back, so a training loop calls
// cudaMalloc only while its working set grows. cudaMalloc failing with
// cudaErrorMemoryAllocation frees the whole cache and retries once before OutOfMemory.
//
// Why reuse needs no events: a block may be released while kernels queued earlier still use it
// (a storage is dropped as soon as its last tensor is disposed). Every op of the cuda backend
// runs on one stream (one per process; see cuda_backend.h), and every later user of a reused
// block is queued on that same stream, after those kernels, so it cannot overtake them. A
// second stream would need per-stream free lists or events. Only freeing memory to the driver
// (emptyCache) waits for the device first.
//
// release() makes no CUDA call, so it is safe anywhere, including in stream callbacks.
// Counters: MemoryStats::deviceCachedBytes is the rounded size of every cached block;
// deviceBytes (bytes of live storages) is kept by Storage itself.
#pragma once
#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "../core/storage.h"

namespace gru {

class CudaCachingAllocator final : public Allocator {
 public:
  static constexpr size_t kSmallLimit = size_t{1} << 20;
  static constexpr size_t kSmallGranule = 512;
  static constexpr size_t kLargeGranule = size_t{2} << 20;

  void* allocate(size_t bytes) override;
  void release(void* ptr, size_t bytes) override;
  DeviceKind device() const override { return DeviceKind::Cuda; }

  // Waits for the device, then returns every cached block to the driver.
  void emptyCache();
  size_t cachedBytes();

  static size_t sizeClass(size_t bytes);

 private:
  void* takeCached(size_t size);
  std::vector<void*> takeAllCached();

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> freeBlocks_;
  size_t cachedBytes_ = 0;
};

// The process's allocator for CUDA device 0 (never destroyed: storages may outlive any env).
CudaCachingAllocator& cudaAllocator();

}  // namespace gru
