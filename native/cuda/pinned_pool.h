// Page-locked host buffers for copies between host and device. cudaMemcpyAsync is only truly
// asynchronous with pinned host memory, so uploads are staged through one of these (the caller's
// memory can be reused at once) and async reads land in one before the callback copies them out.
// Buffers are recycled: pinning memory costs far more than copying it.
//
// release() makes no CUDA call, so stream callbacks may return buffers; freeing pinned memory
// (cudaFreeHost) happens only in acquire() and trim(), on ordinary threads.
#pragma once
#include <cstddef>
#include <iterator>
#include <map>
#include <mutex>
#include <vector>

namespace gru {

struct PinnedBuffer {
  void* data = nullptr;
  size_t capacity = 0;
};

class PinnedPool {
 public:
  // Idle buffers beyond this many bytes are freed on the next acquire().
  static constexpr size_t kMaxIdleBytes = size_t{256} << 20;

  // A buffer of at least `bytes`; data is null when pinned memory could not be had (the caller
  // then copies synchronously instead).
  PinnedBuffer acquire(size_t bytes);
  void release(PinnedBuffer buffer);
  // Frees every idle buffer.
  void trim();

 private:
  void freeBuffers(std::vector<void*>& buffers);

  std::mutex mutex_;
  std::multimap<size_t, void*> idle_;  // capacity -> buffer
  size_t idleBytes_ = 0;
};

}  // namespace gru
