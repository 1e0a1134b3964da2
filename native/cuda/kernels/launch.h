// Launch geometry shared by our kernels: grid-stride loops over int64 element counts.
#pragma once
#include <cstdint>

namespace gru {
namespace cuda {

constexpr int kThreadsPerBlock = 256;
// Enough blocks to fill any current GPU; the grid-stride loop covers the rest.
constexpr int64_t kMaxBlocks = 8192;

inline unsigned blocksFor(int64_t n) {
  const int64_t blocks = (n + kThreadsPerBlock - 1) / kThreadsPerBlock;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > kMaxBlocks ? kMaxBlocks : blocks));
}

}  // namespace cuda
}  // namespace gru
