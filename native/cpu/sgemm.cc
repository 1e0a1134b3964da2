#include "sgemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "blas.h"
#include "gemm.h"
#include "worker_pool.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include "sgemm_packing.h"
#define GRU_HAVE_SGEMM 1
#endif

namespace gru {
namespace cpu {
namespace {

// Smaller products stay with OpenBLAS: its small-matrix paths beat packing below a few million
// multiply-adds, and a tile of 14 x 32 wastes much of itself on fewer rows or columns (batch 20
// by 1536 by 300 ran 12% slower here).
constexpr int64_t kMinWork = int64_t(1) << 21;
constexpr int64_t kMinRows = 4 * kSgemmRows;
constexpr int64_t kMinColumns = 2 * kSgemmColumns;
// On more threads, products below this stay with OpenBLAS, whose threads start sooner than a
// split over the worker pool (batch 64 by 768 by 256: 160 us against 180-290).
constexpr int64_t kMinThreadedWork = int64_t(1) << 25;
// An A block of 1008 x kSgemmDepth floats (2 MB) and a B block of kSgemmDepth x 256 (512 KB,
// in L2 while every micro-panel of A sweeps it).
constexpr int64_t kBlockRows = 72 * kSgemmRows;
constexpr int64_t kBlockColumns = 8 * kSgemmColumns;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }

bool switchedOff() {
  const char* choice = std::getenv("GRU_NATIVE_SGEMM");
  return choice != nullptr && std::strcmp(choice, "openblas") == 0;
}

bool available() {
#ifdef GRU_HAVE_SGEMM
  static const bool usable = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && !switchedOff();
  }();
  return usable;
#else
  return false;
#endif
}

#ifdef GRU_HAVE_SGEMM
// GCC 12 warns on the deliberately undefined operand inside its own shuffle intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
using sgemm_detail::firstLanes;

// Each thread's packing space, grown to the largest block it has packed (a few MB at most).
// Null when that memory cannot be had: a helper thread must not throw (worker_pool.h).
class PackBuffer {
 public:
  float* floats(int64_t count) noexcept {
    if (count > capacity_) {
      data_.reset(static_cast<float*>(::operator new(static_cast<size_t>(count) * sizeof(float), std::align_val_t(64), std::nothrow)));
      capacity_ = data_ ? count : 0;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(float* p) const { ::operator delete(p, std::align_val_t(64)); }
  };
  std::unique_ptr<float, Free> data_;
  int64_t capacity_ = 0;
};

thread_local PackBuffer packedABuffer;
thread_local PackBuffer packedBBuffer;

// C tile [rows x columns] = alpha * (micro-panel of A) (panel of B) + beta * C tile (+ bias[j]
// when bias is given), with rows <= kSgemmRows and columns <= kSgemmColumns (the packing
// zero-pads the rest).
GRU_AVX512 void tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c, int64_t ldc, float alpha, float beta,
                     const float* bias, int64_t rows, int64_t columns) {
  __m512 low[kSgemmRows], high[kSgemmRows];
#pragma GCC unroll 14
  for (int i = 0; i < kSgemmRows; ++i) {
    low[i] = _mm512_setzero_ps();
    high[i] = _mm512_setzero_ps();
    // The tile's rows are written after the loop below: fetching them now hides the misses.
    if (i < rows) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
    }
  }
  for (int64_t p = 0; p < kc; ++p) {
    const __m512 bLow = _mm512_load_ps(b), bHigh = _mm512_load_ps(b + 16);
#pragma GCC unroll 14
    for (int i = 0; i < kSgemmRows; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      low[i] = _mm512_fmadd_ps(ai, bLow, low[i]);
      high[i] = _mm512_fmadd_ps(ai, bHigh, high[i]);
    }
    a += kSgemmRows;
    b += kSgemmColumns;
  }
  const __m512 alphaV = _mm512_set1_ps(alpha), betaV = _mm512_set1_ps(beta);
  const __mmask16 lowLanes = firstLanes(columns), highLanes = firstLanes(columns - 16);
  const __m512 biasLow = bias ? _mm512_maskz_loadu_ps(lowLanes, bias) : _mm512_setzero_ps();
  const __m512 biasHigh = bias ? _mm512_maskz_loadu_ps(highLanes, bias + 16) : _mm512_setzero_ps();
#pragma GCC unroll 14
  for (int i = 0; i < kSgemmRows; ++i) {
    if (i >= rows) break;
    float* row = c + i * ldc;
    __m512 l = _mm512_fmadd_ps(low[i], alphaV, biasLow), h = _mm512_fmadd_ps(high[i], alphaV, biasHigh);
    if (beta != 0.0f) {
      l = _mm512_fmadd_ps(betaV, _mm512_maskz_loadu_ps(lowLanes, row), l);
      h = _mm512_fmadd_ps(betaV, _mm512_maskz_loadu_ps(highLanes, row + 16), h);
    }
    _mm512_mask_storeu_ps(row, lowLanes, l);
    _mm512_mask_storeu_ps(row + 16, highLanes, h);
  }
}

// One thread's product; A's element (i, p) at a[i * rsa + p * csa], B's (p, j) at b[p * rsb + j * csb].
// False, with C untouched, when the packing space cannot be allocated (the caller runs OpenBLAS).
GRU_AVX512 bool serialSgemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa, const float* b,
                            int64_t rsb, int64_t csb, float beta, float* c, int64_t ldc, const float* columnBias) {
  const int64_t kcMax = ceilDiv(k, ceilDiv(k, kSgemmDepth));
  const int64_t mcMax = roundUp(ceilDiv(m, ceilDiv(m, kBlockRows)), kSgemmRows);
  const int64_t ncMax = roundUp(ceilDiv(n, ceilDiv(n, kBlockColumns)), kSgemmColumns);
  // A narrow B (a weight gradient's, or a GRU projection's) is packed whole once per depth block
  // and shared by every row block; a wide one block by block inside each row block.
  const int64_t paddedN = roundUp(n, kSgemmColumns);
  const bool wholeB = paddedN <= 4 * kBlockColumns;
  float* packedA = packedABuffer.floats(mcMax * kcMax);
  float* packedB = packedBBuffer.floats((wholeB ? paddedN : ncMax) * kcMax);
  if (packedA == nullptr || packedB == nullptr) return false;
  for (int64_t p0 = 0; p0 < k; p0 += kcMax) {
    const int64_t kc = std::min(kcMax, k - p0);
    // Later depth blocks add to the first, which alone applies beta and the bias.
    const float blockBeta = p0 == 0 ? beta : 1.0f;
    const float* blockBias = p0 == 0 ? columnBias : nullptr;
    if (wholeB) sgemm_detail::packB(b + p0 * rsb, rsb, csb, kc, n, packedB);
    for (int64_t i0 = 0; i0 < m; i0 += mcMax) {
      const int64_t mc = std::min(mcMax, m - i0);
      sgemm_detail::packA(a + i0 * rsa + p0 * csa, rsa, csa, mc, kc, packedA);
      for (int64_t j0 = 0; j0 < n; j0 += ncMax) {
        const int64_t nc = std::min(ncMax, n - j0);
        const float* blockB = wholeB ? packedB + j0 * kc : packedB;
        if (!wholeB) sgemm_detail::packB(b + p0 * rsb + j0 * csb, rsb, csb, kc, nc, packedB);
        for (int64_t ir = 0; ir < mc; ir += kSgemmRows) {
          for (int64_t jr = 0; jr < nc; jr += kSgemmColumns) {
            tile(kc, packedA + ir * kc, blockB + jr * kc, c + (i0 + ir) * ldc + j0 + jr, ldc, alpha, blockBeta,
                 blockBias ? blockBias + j0 + jr : nullptr, std::min(kSgemmRows, mc - ir), std::min(kSgemmColumns, nc - jr));
          }
        }
      }
    }
  }
  return true;
}
#pragma GCC diagnostic pop
#endif

}  // namespace

const char* sgemmKernelName() { return available() ? "gru-native AVX-512" : "OpenBLAS"; }

bool sgemmTakes(int64_t m, int64_t n, int64_t k, int threads) {
  const int64_t work = m * n * k;
  return available() && m >= kMinRows && n >= kMinColumns && k >= 1 && work >= (threads > 1 ? kMinThreadedWork : kMinWork);
}

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
           int64_t ldb, float beta, float* c, int64_t ldc, int threads, const float* columnBias) {
  // OpenBLAS on a block of C: where our kernel does not run, or could not have its packing space.
  const auto openblasBlock = [&](int64_t rows, int64_t columns, const float* aBlock, const float* bBlock, float* cBlock, const float* bias) {
    blas::openblasProduct(transA, transB, rows, columns, k, alpha, aBlock, lda, bBlock, ldb, beta, cBlock, ldc, bias);
  };
#ifdef GRU_HAVE_SGEMM
  const int64_t rsa = transA ? 1 : lda, csa = transA ? lda : 1;
  const int64_t rsb = transB ? 1 : ldb, csb = transB ? ldb : 1;
  if (threads < 2) {
    if (!serialSgemm(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, columnBias)) openblasBlock(m, n, a, b, c, columnBias);
    return;
  }
  // Split the longer side of C: each part packs all of the other operand, so that one is the
  // smaller to pack twice.
  const bool byColumns = n >= m;
  const int64_t unit = byColumns ? kSgemmColumns : kSgemmRows;
  const int64_t extent = byColumns ? n : m;
  const int parts = static_cast<int>(std::min<int64_t>(threads, ceilDiv(extent, unit)));
  const int64_t chunk = roundUp(ceilDiv(extent, parts), unit);
  runParts(parts, [&](int part) {
    const int64_t first = part * chunk, count = std::min(chunk, extent - first);
    if (count <= 0) return;
    if (byColumns) {
      const float* bias = columnBias ? columnBias + first : nullptr;
      if (!serialSgemm(m, count, k, alpha, a, rsa, csa, b + first * csb, rsb, csb, beta, c + first, ldc, bias)) {
        openblasBlock(m, count, a, b + first * csb, c + first, bias);
      }
    } else if (!serialSgemm(count, n, k, alpha, a + first * rsa, rsa, csa, b, rsb, csb, beta, c + first * ldc, ldc, columnBias)) {
      openblasBlock(count, n, a + first * rsa, b, c + first * ldc, columnBias);
    }
  });
#else
  (void)threads;
  openblasBlock(m, n, a, b, c, columnBias);
#endif
}

}  // namespace cpu
}  // namespace gru
