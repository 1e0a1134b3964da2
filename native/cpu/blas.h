// The one include of OpenBLAS's CBLAS header, plus its thread-control extensions.
#pragma once
#include <cblas.h>

namespace gru {

// The thread count the user set (setNumThreads), which OpenBLAS runs with except inside a GRU
// call that splits itself (Note [GRU thread split]): reading it never sees that call's change.
int blasThreads();
void setBlasThreads(int threads);
// What OpenBLAS runs with at this moment.
int openblasThreadsNow();
const char* blasConfig();
// The kernel family OpenBLAS runs on this CPU ("Cooperlake", "Haswell", ...).
const char* blasCoreName();

// While alive, OpenBLAS runs every call on its caller's thread; then the user's count again.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;
};

}  // namespace gru
