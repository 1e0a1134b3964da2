// The layer wavefront's shared state (gru_forward.cc, gru_backward.cc, Note [GRU thread split]):
// how many chunks each layer has finished and which layer a thread is running, guarded by one
// mutex, and what a thread waits on when no chunk is ready.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

namespace gru {
namespace cpu {

// A count of completions. What a thread waits for is usually about to finish, so it spins a
// little before it sleeps: waking a sleeping thread costs tens of microseconds, as much as a
// small chunk.
class CompletionSignal {
 public:
  std::mutex& mutex() { return mutex_; }

  // With `lock` (on mutex()) held: returns, holding it again, once signal() has been called
  // after this call began.
  void awaitNext(std::unique_lock<std::mutex>& lock) {
    const int64_t seen = count_.load(std::memory_order_relaxed);
    lock.unlock();
    for (int spin = 0; spin < kSpins && count_.load(std::memory_order_acquire) == seen; ++spin) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
    }
    lock.lock();
    changed_.wait(lock, [&] { return count_.load(std::memory_order_relaxed) != seen; });
  }

  // With the lock held: something finished or changed.
  void signal() {
    count_.fetch_add(1, std::memory_order_release);
    changed_.notify_all();
  }

 private:
  static constexpr int kSpins = 20000;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<int64_t> count_{0};
};

// Chunks finished and running per layer; read and written with completed.mutex() held.
struct WavefrontBoard {
  explicit WavefrontBoard(int64_t layers) : finished(layers, 0), running(layers, 0) {}

  // With `lock` held: runs chunk() with it released, then counts the chunk finished and wakes
  // the waiting threads.
  template <typename Chunk>
  void run(std::unique_lock<std::mutex>& lock, int64_t layer, Chunk&& chunk) {
    running[layer] = 1;
    lock.unlock();
    chunk();
    lock.lock();
    running[layer] = 0;
    ++finished[layer];
    completed.signal();
  }

  std::vector<int64_t> finished;
  std::vector<char> running;
  CompletionSignal completed;
};

}  // namespace cpu
}  // namespace gru
