// Note [GRU thread split], steps of few rows: when a direction's batch is too small to split by
// rows (fewer than 8), the threads of the call may still run its steps together, as a team.
// Every member walks the same steps; each recurrent product is split by panels of output
// columns (Note [Packed recurrent weights]), each gate loop by batch rows (a single row on one
// member), with a barrier after each part. Steps take a team from ThreadSplit::kMinStepWork
// multiply-adds a product. A member the machine deschedules stalls the others at the next
// barrier; where that keeps happening, the team dissolves (SpinBarrier).
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <utility>

#include "packed_gemm.h"
#include "worker_pool.h"

namespace gru {
namespace cpu {

// Members spin while they wait: the wait is a few microseconds, far less than a sleep and a
// wake-up. A member waiting over 200 us (a partner descheduled on a busy machine) yields the
// core and counts a slow wait; from the second, the team dissolves at the next barrier. With more
// runnable threads than cores every barrier waits for a time slice: batch 4, hidden 256,
// forward+backward beside one busy process took 29-88 ms on a team that held, 22-24 on one that
// dissolves, 21 on one thread and 23 before teams (quiet: 11.6-12.7 on a team, 16-18 before).
class SpinBarrier {
 public:
  explicit SpinBarrier(int members) : members_(members) {}
  SpinBarrier(const SpinBarrier&) = delete;
  SpinBarrier& operator=(const SpinBarrier&) = delete;

  // True while the team holds; false, for every member of the same barrier, once it dissolves.
  bool arriveAndWait() {
    const uint32_t phase = phase_.load(std::memory_order_relaxed);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == members_) {
      // Every member's slow waits before it arrived here are visible through arrived_.
      arrived_.store(0, std::memory_order_relaxed);
      together_.store(slowWaits_.load(std::memory_order_relaxed) < kSlowWaitsToDissolve, std::memory_order_relaxed);
      phase_.store(phase + 1, std::memory_order_release);
      return together_.load(std::memory_order_relaxed);
    }
    const auto start = std::chrono::steady_clock::now();
    bool slow = false;
    for (int spin = 1; phase_.load(std::memory_order_acquire) == phase; ++spin) {
      if (slow) {
        std::this_thread::yield();
        continue;
      }
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
      if (spin % 1024 == 0 && std::chrono::steady_clock::now() - start > kSlowWait) {
        slow = true;
        slowWaits_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    // No later barrier can complete, and so rewrite it, before this member arrives there.
    return together_.load(std::memory_order_relaxed);
  }

 private:
  static constexpr std::chrono::microseconds kSlowWait{200};
  static constexpr int kSlowWaitsToDissolve = 2;
  const int members_;
  std::atomic<int> arrived_{0};
  std::atomic<uint32_t> phase_{0};
  std::atomic<int> slowWaits_{0};
  std::atomic<bool> together_{true};
};

// One member's view of the team; the default is a team of one, whose barriers do nothing.
class StepTeam {
 public:
  StepTeam() = default;
  StepTeam(int member, int members, SpinBarrier* barrier) : member_(member), members_(members), barrier_(barrier) {}

  bool alone() const { return members_ == 1; }
  bool leads() const { return member_ == 0; }
  // This member's share [begin, end) of n items, or of n columns on panel boundaries.
  std::pair<int64_t, int64_t> rows(int64_t n) const { return {n * member_ / members_, n * (member_ + 1) / members_}; }
  std::pair<int64_t, int64_t> columns(int64_t n) const {
    const int64_t panels = (n + kPanel - 1) / kPanel;
    return {std::min(n, panels * member_ / members_ * kPanel), std::min(n, panels * (member_ + 1) / members_ * kPanel)};
  }
  // The barrier after a part. False for a member that must stop here: the team dissolved, and
  // its leader goes on alone (every part before this barrier is done).
  [[nodiscard]] bool sync() {
    if (members_ == 1 || barrier_->arriveAndWait()) return true;
    if (member_ != 0) return false;
    members_ = 1;
    countDissolvedTeam();
    return true;
  }

 private:
  int member_ = 0;
  int members_ = 1;
  SpinBarrier* barrier_ = nullptr;
};

// task(team) on `members` threads side by side, each with its member's view; false, having run
// nothing, where the threads cannot be had.
template <typename Task>
bool runTeam(int members, Task&& task) {
  SpinBarrier barrier(members);
  return runPartsSideBySide(members, [&](int member) { task(StepTeam(member, members, &barrier)); });
}

// C[m x n] = (or +=, accumulate) A[m x k] times the packed panels, this member's columns of it;
// then the barrier (its answer: StepTeam::sync).
[[nodiscard]] inline bool teamPackedProduct(StepTeam& team, bool accumulate, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                                            Panels packed, float* c, int64_t ldc) {
  const auto [c0, c1] = team.columns(n);
  if (c0 < c1) packedGemm(accumulate, m, c1 - c0, k, a, lda, packed.fromColumn(c0, k), c + c0, ldc);
  return team.sync();
}

}  // namespace cpu
}  // namespace gru
