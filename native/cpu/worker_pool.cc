#include "worker_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace gru {
namespace cpu {
namespace {

std::atomic<uint64_t> sideBySide{0};
std::atomic<uint64_t> dissolved{0};

class WorkerPool {
 public:
  void run(int parts, const std::function<void(int)>& task) {
    if (!tryRun(parts, task)) {
      for (int part = 0; part < parts; ++part) task(part);
    }
  }

  // Runs the parts side by side and returns true, or runs nothing and returns false.
  bool tryRun(int parts, const std::function<void(int)>& task) {
    // A part that splits again runs that split itself: the caller's own thread already holds
    // busy_ (locking it again would be undefined), and helpers find it taken.
    thread_local bool insideSplit = false;
    if (parts <= 1 || insideSplit) return false;
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    insideSplit = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (static_cast<int>(helpers_.size()) < parts - 1) {
        const int index = static_cast<int>(helpers_.size());
        helpers_.emplace_back([this, index] { helperLoop(index); });
      }
      task_ = &task;
      parts_ = parts;
      remaining_.store(parts - 1, std::memory_order_relaxed);
      ++generation_;
    }
    sideBySide.fetch_add(1, std::memory_order_relaxed);
    wake_.notify_all();
    task(0);
    waitForHelpers();
    insideSplit = false;
    return true;
  }

 private:
  void helperLoop(int index) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* task;
      int parts;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        task = task_;
        parts = parts_;
      }
      if (index + 1 >= parts) continue;
      (*task)(index + 1);
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        finished_.notify_one();
      }
    }
  }

  // Parts are sized alike, so the caller usually finds the helpers nearly done: it spins a
  // little before it sleeps.
  void waitForHelpers() {
    for (int spin = 0; spin < 4096; ++spin) {
      if (remaining_.load(std::memory_order_acquire) == 0) return;
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
    }
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [&] { return remaining_.load(std::memory_order_acquire) == 0; });
  }

  std::mutex busy_;  // held by the thread whose split is running
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  std::vector<std::thread> helpers_;
  const std::function<void(int)>* task_ = nullptr;
  int parts_ = 0;
  uint64_t generation_ = 0;
  std::atomic<int> remaining_{0};
};

WorkerPool& pool() {
  // Never destroyed: helpers blocked in wait() end with the process, and no destructor has to
  // join them during exit.
  static WorkerPool* instance = new WorkerPool();
  return *instance;
}

}  // namespace

void runParts(int parts, const std::function<void(int)>& task) { pool().run(parts, task); }

bool runPartsSideBySide(int parts, const std::function<void(int)>& task) {
  return pool().tryRun(parts, task);
}

uint64_t sideBySideRuns() { return sideBySide.load(std::memory_order_relaxed); }
void countDissolvedTeam() { dissolved.fetch_add(1, std::memory_order_relaxed); }
uint64_t dissolvedTeams() { return dissolved.load(std::memory_order_relaxed); }

}  // namespace cpu
}  // namespace gru
