// CpuBackend: data movement, sync and error surfacing, fills, copies and random draws.
// Arithmetic is in cpu_math_ops.cc, the GRU in cpu_gru_ops.cc.
#include "cpu_backend.h"

#include <cstring>
#include <memory>

#include "../ops/random_values.h"
#include "elementwise.h"

namespace gru {

// Note [Dead initialisation]
// Fills and random draws only write their tensor. Queued, they would hold its storage until
// they run, so a loop that creates and disposes modules faster than the worker initialises
// them would keep every one of them alive (the audit saw 100k GRUs reach gigabytes). They
// therefore hold the storage weakly: disposing the last handle frees the memory at once, and
// the write, finding nothing left to write, is skipped. A queued op that reads the tensor holds
// it strongly, so the write still happens before that op, in order.
template <typename Write>
void CpuBackend::enqueueInitialisation(const TensorRef& dst, Write write) {
  raisePendingError();
  std::weak_ptr<Storage> target = dst.storage;
  const size_t byteOffset = dst.byteOffset;
  const int64_t numel = dst.numel;
  const DType dtype = dst.dtype;
  stream_.enqueue([target = std::move(target), byteOffset, numel, dtype, write] {
    StoragePtr storage = target.lock();
    if (!storage) return;
    write(TensorRef{std::move(storage), byteOffset, numel, dtype});
  });
}

void CpuBackend::uploadNew(const TensorRef& dst, const void* src) {
  if (dst.bytes() > 0) std::memcpy(dst.raw(), src, dst.bytes());  // no queued op can touch a new storage
}

void CpuBackend::readSync(const TensorRef& src, void* dst) {
  synchronize();
  if (src.bytes() > 0) std::memcpy(dst, src.raw(), src.bytes());
}

void CpuBackend::readAsync(const TensorRef& src, void* dst, ReadDone done) {
  raisePendingError();
  stream_.enqueue([ref = TensorRef(src), dst, done = std::move(done)]() mutable {
    if (ref.bytes() > 0) std::memcpy(dst, ref.raw(), ref.bytes());
    // Drop the storage before the reader hears the bytes are in: a disposed tensor's memory is
    // then free by the time its read resolves (the task itself is destroyed only afterwards).
    ref.storage.reset();
    done(nullptr);
  });
}

void CpuBackend::synchronize() {
  stream_.synchronize();
  raisePendingError();
}

void CpuBackend::raisePendingError() {
  if (std::exception_ptr error = stream_.takeError()) std::rethrow_exception(error);
}

void CpuBackend::fill(const FillRequest& r) {
  const double value = r.value;
  enqueueInitialisation(r.dst, [value](const TensorRef& dst) {
    switch (dst.dtype) {
      case DType::Float32: fillLoop(dst.data<float>(), dst.numel, static_cast<float>(value)); break;
      case DType::Float64: fillLoop(dst.data<double>(), dst.numel, value); break;
      case DType::Int32: fillLoop(dst.data<int32_t>(), dst.numel, static_cast<int32_t>(value)); break;
    }
  });
}

void CpuBackend::copy(const CopyRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    const size_t item = dtypeSize(r.dst.dtype);
    auto* to = static_cast<char*>(r.dst.raw());
    const auto* from = static_cast<const char*>(r.src.raw());
    if (r.rows == 1) {
      std::memmove(to, from, static_cast<size_t>(r.rowElements) * item);  // a plain copy may overlap
      return;
    }
    for (int64_t row = 0; row < r.rows; ++row) {
      std::memcpy(to + static_cast<size_t>(row * r.dstRowStride) * item, from + static_cast<size_t>(row * r.srcRowStride) * item,
                  static_cast<size_t>(r.rowElements) * item);
    }
  });
}

// The parameters of a draw, without its tensor (which the queued task holds weakly).
struct DrawParameters {
  Distribution distribution;
  uint64_t seed, offset;
  double a, b;

  template <typename T>
  void into(T* dst, int64_t n) const {
    if (distribution == Distribution::Uniform) {
      for (int64_t i = 0; i < n; ++i) dst[i] = uniformElement(dst, seed, offset, i, a, b);
    } else {
      for (int64_t p = 0; 2 * p < n; ++p) normalPair(dst, n, p, seed, offset, a, b);
    }
  }
};

void CpuBackend::random(const RandomRequest& r) {
  const DrawParameters draw{r.distribution, r.seed, r.offset, r.a, r.b};
  enqueueInitialisation(r.dst, [draw](const TensorRef& dst) {
    if (dst.dtype == DType::Float64) draw.into(dst.data<double>(), dst.numel);
    else draw.into(dst.data<float>(), dst.numel);
  });
}

}  // namespace gru
