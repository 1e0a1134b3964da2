#include "pinned_pool.h"

#include <cuda_runtime_api.h>

namespace gru {
namespace {

// Power-of-two capacities from 64 KiB keep the number of distinct sizes small.
size_t capacityFor(size_t bytes) {
  size_t capacity = size_t{64} << 10;
  while (capacity < bytes) capacity <<= 1;
  return capacity;
}

}  // namespace

PinnedBuffer PinnedPool::acquire(size_t bytes) {
  const size_t capacity = capacityFor(bytes);
  std::vector<void*> excess;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = idle_.find(capacity);
    if (it != idle_.end()) {
      PinnedBuffer buffer{it->second, it->first};
      idle_.erase(it);
      idleBytes_ -= capacity;
      return buffer;
    }
    while (idleBytes_ > kMaxIdleBytes && !idle_.empty()) {
      auto largest = std::prev(idle_.end());
      excess.push_back(largest->second);
      idleBytes_ -= largest->first;
      idle_.erase(largest);
    }
  }
  freeBuffers(excess);
  void* data = nullptr;
  if (cudaHostAlloc(&data, capacity, cudaHostAllocDefault) != cudaSuccess) {
    cudaGetLastError();  // not sticky: the caller falls back to a synchronous copy
    return PinnedBuffer{};
  }
  return PinnedBuffer{data, capacity};
}

void PinnedPool::release(PinnedBuffer buffer) {
  if (buffer.data == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.emplace(buffer.capacity, buffer.data);
  idleBytes_ += buffer.capacity;
}

void PinnedPool::trim() {
  std::vector<void*> buffers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [capacity, data] : idle_) buffers.push_back(data);
    idle_.clear();
    idleBytes_ = 0;
  }
  freeBuffers(buffers);
}

void PinnedPool::freeBuffers(std::vector<void*>& buffers) {
  for (void* data : buffers) cudaFreeHost(data);
  buffers.clear();
}

}  // namespace gru
