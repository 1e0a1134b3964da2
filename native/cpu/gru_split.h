// Note [GRU thread split]
// With more than one thread, the fast CPU GRU splits a call itself instead of leaving OpenBLAS to
// split each per-step product: those are small (a few rows), and OpenBLAS's workers spin between
// them. The recurrences of different batch rows are independent, so each thread runs every step
// of its own share of the batch; the large GEMMs around them (the input projections, the weight
// gradients, dX) are split by output rows. Inside the call OpenBLAS runs on one thread, so every
// per-step product takes the packed kernel (Note [Packed recurrent weights]) and no OpenBLAS
// worker competes for the cores. Each part computes what the unsplit call does for its rows, in
// the same order, so results change only where a row's product runs in a different tail of the
// packed kernel (last bits).
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>

#include "blas.h"
#include "gru_plan.h"
#include "worker_pool.h"

namespace gru {
namespace cpu {

class ThreadSplit {
 public:
  // Splitting pays from four batch rows per part and a few million multiply-adds per layer.
  static constexpr int64_t kMinRowsPerPart = 4;
  static constexpr int64_t kMinLayerWork = int64_t(1) << 22;

  explicit ThreadSplit(const GruPlan& p) {
    const int threads = blasThreads();
    const int64_t work = p.T * p.B * 3 * p.H * (p.config.inputSize + p.H);
    if (threads < 2 || work < kMinLayerWork) return;
    parts_ = static_cast<int>(std::min<int64_t>(threads, p.B / kMinRowsPerPart));
    if (parts_ < 2) parts_ = 1;
    else singleThreadedBlas_.emplace();
  }
  ThreadSplit(const ThreadSplit&) = delete;
  ThreadSplit& operator=(const ThreadSplit&) = delete;

  int parts() const { return parts_; }
  // Part `part`'s share [begin, end) of n rows.
  int64_t begin(int64_t n, int part) const { return n * part / parts_; }
  int64_t end(int64_t n, int part) const { return n * (part + 1) / parts_; }

  // task(begin, end) over every part's share of n rows, the parts side by side.
  void forRows(int64_t n, const std::function<void(int64_t, int64_t)>& task) const {
    runParts(parts_, [&](int part) {
      if (begin(n, part) < end(n, part)) task(begin(n, part), end(n, part));
    });
  }

 private:
  int parts_ = 1;
  std::optional<SingleThreadedBlas> singleThreadedBlas_;
};

}  // namespace cpu
}  // namespace gru
