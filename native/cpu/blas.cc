#include "blas.h"

#include <atomic>

namespace gru {
namespace {

// 0 until first read: OpenBLAS's own default (its core count or OPENBLAS_NUM_THREADS).
std::atomic<int> userThreads{0};

}  // namespace

int blasThreads() {
  int threads = userThreads.load(std::memory_order_relaxed);
  if (threads == 0) {
    threads = openblas_get_num_threads();
    int expected = 0;
    if (!userThreads.compare_exchange_strong(expected, threads)) threads = expected;
  }
  return threads;
}

void setBlasThreads(int threads) {
  openblas_set_num_threads(threads);
  userThreads.store(openblas_get_num_threads(), std::memory_order_relaxed);
}

int openblasThreadsNow() { return openblas_get_num_threads(); }
const char* blasConfig() { return openblas_get_config(); }
const char* blasCoreName() { return openblas_get_corename(); }

SingleThreadedBlas::SingleThreadedBlas() {
  blasThreads();  // latches the user's count before OpenBLAS's changes
  openblas_set_num_threads(1);
}
SingleThreadedBlas::~SingleThreadedBlas() { openblas_set_num_threads(blasThreads()); }

}  // namespace gru
