// Note [GRU thread split]
// With more than one thread, the fast CPU GRU splits a call itself instead of leaving OpenBLAS to
// split each per-step product: those are small (a few rows), and OpenBLAS's workers spin between
// them. The recurrences of different batch rows are independent, so each thread runs every step
// of its own share of the batch; the large GEMMs around them (the input projections, the weight
// gradients, dX) are split by output rows. Inside the call OpenBLAS runs on one thread, so every
// per-step product takes the packed kernel (Note [Packed recurrent weights]) and no OpenBLAS
// worker competes for the cores. Each part computes what the unsplit call does for its rows, in
// the same order, so results change only where a row's product runs in a different tail of the
// packed kernel (last bits). A bidirectional call whose batch is too small to split runs its two
// directions side by side instead, one thread each, with a scratch slot each (GruPlan::
// scratchSlots). A one-direction stack of layers with 2-7 rows runs as a wavefront: the steps
// are cut into chunks, layer l works on chunk j while layer l + 1 works on chunk j - 1, and any
// thread takes the next ready chunk, each layer keeping its state in its own slot (GruPlan::
// waveSlots); the backward runs the same way from the last chunk down, each layer's weight
// gradients once its last chunk is done (unless those per-layer slots would take too much memory:
// GruPlan::kMaxWavefrontExtra). Any other call of 2-7 rows and 2 or more steps runs the
// steps in the packed kernel, on a team of threads where each step's product is large enough
// (step_team.h), and splits the GEMMs around them. One-row calls and single steps keep
// OpenBLAS's threads: a GEMV gains from the second core's bandwidth; but an inference copy's
// products all run through panels, so its one-row calls of 2 or more steps split like the
// others.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>

#include "blas.h"
#include "gru_plan.h"
#include "step_team.h"
#include "worker_pool.h"

namespace gru {
namespace cpu {

class ThreadSplit {
 public:
  // Splitting pays from four batch rows per part and a few million multiply-adds per layer.
  static constexpr int64_t kMinRowsPerPart = 4;
  static constexpr int64_t kMinLayerWork = int64_t(1) << 22;
  // A team (step_team.h) paid from the smallest step products measured at 2 threads: batch 2,
  // hidden 64 (2^14.6 multiply-adds), 400 steps, 0.98 -> 0.86 ms forward.
  static constexpr int64_t kMinStepWork = int64_t(1) << 14;

  static_assert(2 * kMinRowsPerPart == GruPlan::kSmallestSplitBatch, "the plan gives side-by-side directions their slots");

  // `panelWeights`: the weights are an inference copy's (Note [Inference weight copies]).
  ThreadSplit(const GruPlan& p, bool panelWeights) {
    const int threads = p.threads;
    if (threads < 2) return;
    const bool large = p.T * p.B * 3 * p.H * (p.config.inputSize + p.H) >= kMinLayerWork;
    const bool largeSteps = p.B * 3 * p.H * p.H >= kMinStepWork;
    const int64_t batchParts = std::min<int64_t>(threads, p.B / kMinRowsPerPart);
    if (large && batchParts >= 2) {
      batchParts_ = rowParts_ = static_cast<int>(batchParts);
    } else if (large && p.scratchSlots() == 2) {
      directionsSideBySide_ = true;
    } else if (large && p.waveSlots() > 0) {
      wavefrontThreads_ = static_cast<int>(std::min<int64_t>(threads, p.L));
      rowParts_ = threads;  // for the layer-by-layer path, when the wavefront cannot have its threads
    } else if (p.T >= 2 && (p.B >= 2 || panelWeights)) {
      // Steps of 2-7 rows run in the packed kernel: OpenBLAS splitting each of those small
      // products over its threads took 1.2-2.7x longer than one thread did.
      rowParts_ = large ? threads : 1;
      stepThreads_ = large && largeSteps ? threads : 1;
    } else {
      // One row (GEMV) or one step: OpenBLAS's threads add the other core's bandwidth.
      return;
    }
    singleThreadedBlas_.emplace();
  }
  ThreadSplit(const ThreadSplit&) = delete;
  ThreadSplit& operator=(const ThreadSplit&) = delete;

  // Whether a bidirectional layer runs its directions on two threads (each in its own slot).
  bool directionsSideBySide() const { return directionsSideBySide_; }
  // Threads for the layer wavefront (gru_forward.cc, gru_backward.cc), or 0: layer after layer.
  int wavefrontThreads() const { return wavefrontThreads_; }

  // task(d, slot) for each direction of a layer: side by side, or in turn in slot 0.
  void forDirections(int64_t directions, const std::function<void(int64_t, int64_t)>& task) const {
    if (directionsSideBySide_) {
      runParts(2, [&](int d) { task(d, d); });
      return;
    }
    for (int64_t d = 0; d < directions; ++d) task(d, 0);
  }

  // task(b0, b1, team) over a direction's steps: on a team of the call's threads (step_team.h)
  // where the split chose one and every step product runs through packed panels (`panels`), else
  // over the batch parts.
  template <typename Task>
  void forSteps(int64_t batch, bool panels, Task&& task) const {
    if (panels && stepThreads_ > 1 && runTeam(stepThreads_, [&](StepTeam member) { task(0, batch, member); })) return;
    forBatch(batch, [&](int64_t b0, int64_t b1) { task(b0, b1, StepTeam()); });
  }

  // task(b0, b1) over every part's share of the batch rows, the parts side by side.
  void forBatch(int64_t batch, const std::function<void(int64_t, int64_t)>& task) const { forParts(batchParts_, batch, task); }
  // task(begin, end) over every part's share of n output rows of a GEMM, the parts side by side.
  void forRows(int64_t n, const std::function<void(int64_t, int64_t)>& task) const { forParts(rowParts_, n, task); }

 private:
  static void forParts(int parts, int64_t n, const std::function<void(int64_t, int64_t)>& task) {
    runParts(parts, [&](int part) {
      const int64_t begin = n * part / parts, end = n * (part + 1) / parts;
      if (begin < end) task(begin, end);
    });
  }

  int batchParts_ = 1;
  int rowParts_ = 1;
  bool directionsSideBySide_ = false;
  int wavefrontThreads_ = 0;
  int stepThreads_ = 1;  // members of a team for the steps, or 1
  std::optional<SingleThreadedBlas> singleThreadedBlas_;
};

}  // namespace cpu
}  // namespace gru
