// Read bandwidth of one core over a buffer of each given size (bytes), the bound of a streaming
// GRU step that reads its weights once: the buffer is read whole, repeatedly, into 16 independent
// vector sums (so neither add latency nor a single load stream limits it), and the median pass
// is reported. Usage: read_bandwidth BYTES... ; prints {"results":[{"bytes":..,"gbPerS":..}]}.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

typedef float Vec __attribute__((vector_size(64)));
constexpr int kChains = 16;
constexpr size_t kStrideFloats = kChains * 16;

static double passSeconds(const float* data, size_t floats, Vec* sums) {
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i + kStrideFloats <= floats; i += kStrideFloats) {
    for (int c = 0; c < kChains; ++c) {
      Vec v;
      std::memcpy(&v, data + i + 16 * c, sizeof v);
      sums[c] += v;
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int main(int argc, char** argv) {
  std::printf("{\"results\":[");
  for (int a = 1; a < argc; ++a) {
    const size_t floats = std::max<size_t>(std::strtoull(argv[a], nullptr, 10) / 4 / kStrideFloats, 1) * kStrideFloats;
    float* data = static_cast<float*>(std::aligned_alloc(64, floats * 4));
    for (size_t i = 0; i < floats; ++i) data[i] = static_cast<float>(i % 7);
    Vec sums[kChains] = {};
    // About a second per size at most; at least 5 passes for DRAM-sized buffers.
    const int passes = static_cast<int>(std::clamp<size_t>(4'000'000'000ull / (floats * 4), 5, 4000));
    for (int w = 0; w < std::min(passes, 50); ++w) passSeconds(data, floats, sums);
    std::vector<double> times;
    for (int p = 0; p < passes; ++p) times.push_back(passSeconds(data, floats, sums));
    std::sort(times.begin(), times.end());
    float total = 0;
    for (auto& v : sums) for (int j = 0; j < 16; ++j) total += v[j];
    std::printf("%s{\"bytes\":%zu,\"gbPerS\":%.2f,\"checksum\":%g}", a > 1 ? "," : "", floats * 4, floats * 4 / times[times.size() / 2] / 1e9, total);
    std::free(data);
  }
  std::printf("]}\n");
  return 0;
}
