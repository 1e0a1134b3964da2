// The host allocator behind every CPU storage.
//
// Note [host block cache]
// A GRU call allocates megabytes of outputs, reserve and workspace. glibc serves blocks that
// large with fresh mmap()s, so every call page-faults all of them in again. Measured in a 2-vCPU
// VM: 7x fewer page faults and about 15% lower median S and L training steps with the cache.
// Freed blocks of 1 MiB and more are therefore kept, by size class, and handed to the next
// request of that class. Blocks of up to 512 KiB are kept too, in finer classes: a streaming
// step allocates its outputs and workspace anew each call, and glibc's aligned allocation and
// free (with its chunk consolidation) were a fifth of a small step's native time (perf). The
// idle caches are bounded (a block that would exceed the bound is freed at once) and emptied by
// emptyCache(); blocks between 512 KiB and 1 MiB go straight to the heap.
#pragma once
#include <cstddef>

#include "storage.h"

namespace gru {

// Frees the idle cached blocks; returns the bytes released.
size_t emptyHostCache();

}  // namespace gru
