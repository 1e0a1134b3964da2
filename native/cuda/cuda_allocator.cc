#include "cuda_allocator.h"

#include <cuda_runtime_api.h>

#include <string>

#include "../core/errors.h"
#include "../core/memory_stats.h"
#include "status.h"

namespace gru {

size_t CudaCachingAllocator::sizeClass(size_t bytes) {
  if (bytes <= kSmallLimit) {
    const size_t rounded = (bytes + kSmallGranule - 1) / kSmallGranule * kSmallGranule;
    return rounded == 0 ? kSmallGranule : rounded;
  }
  return (bytes + kLargeGranule - 1) / kLargeGranule * kLargeGranule;
}

void* CudaCachingAllocator::takeCached(size_t size) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = freeBlocks_.find(size);
  if (it == freeBlocks_.end() || it->second.empty()) return nullptr;
  void* block = it->second.back();
  it->second.pop_back();
  cachedBytes_ -= size;
  memoryStats().deviceCachedBytes.fetch_sub(static_cast<int64_t>(size), std::memory_order_relaxed);
  return block;
}

std::vector<void*> CudaCachingAllocator::takeAllCached() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<void*> blocks;
  for (auto& [size, list] : freeBlocks_) blocks.insert(blocks.end(), list.begin(), list.end());
  freeBlocks_.clear();
  memoryStats().deviceCachedBytes.fetch_sub(static_cast<int64_t>(cachedBytes_), std::memory_order_relaxed);
  cachedBytes_ = 0;
  return blocks;
}

void* CudaCachingAllocator::allocate(size_t bytes) {
  const size_t size = sizeClass(bytes);
  if (void* block = takeCached(size)) return block;
  void* block = nullptr;
  cudaError_t status = cudaMalloc(&block, size);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // allocation failures are not sticky; clear it so later checks do not see it
    emptyCache();
    status = cudaMalloc(&block, size);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw Error(ErrorKind::OutOfMemory,
                  "out of CUDA device memory: could not allocate " + std::to_string(bytes) + " bytes (" +
                      std::to_string(memoryStats().deviceBytes.load()) + " bytes in use by tensors)",
                  "cudaErrorMemoryAllocation");
    }
  }
  cuda::checkCuda(status, "cudaMalloc");
  return block;
}

void CudaCachingAllocator::release(void* ptr, size_t bytes) {
  if (ptr == nullptr) return;
  const size_t size = sizeClass(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  freeBlocks_[size].push_back(ptr);
  cachedBytes_ += size;
  memoryStats().deviceCachedBytes.fetch_add(static_cast<int64_t>(size), std::memory_order_relaxed);
}

void CudaCachingAllocator::emptyCache() {
  std::vector<void*> blocks = takeAllCached();
  if (blocks.empty()) return;
  // Kernels queued before a block was released may still use it; cudaFree does not promise to wait.
  cudaDeviceSynchronize();
  for (void* block : blocks) cudaFree(block);
}

size_t CudaCachingAllocator::cachedBytes() {
  std::lock_guard<std::mutex> lock(mutex_);
  return cachedBytes_;
}

CudaCachingAllocator& cudaAllocator() {
  static CudaCachingAllocator* allocator = new CudaCachingAllocator();
  return *allocator;
}

}  // namespace gru
