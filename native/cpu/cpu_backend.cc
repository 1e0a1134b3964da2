#include "cpu_backend.h"

#include <cstring>

#include "random_fill.h"

namespace gru {

void CpuBackend::uploadNew(const TensorRef& dst, const void* src) {
  std::memcpy(dst.raw(), src, dst.bytes());  // no queued op can touch a new storage
}

void CpuBackend::readSync(const TensorRef& src, void* dst) {
  synchronize();
  std::memcpy(dst, src.raw(), src.bytes());
}

void CpuBackend::readAsync(const TensorRef& src, ReadCallback done) {
  raisePendingError();
  stream_.enqueue([src, done = std::move(done)] {
    std::vector<uint8_t> bytes(src.bytes());
    std::memcpy(bytes.data(), src.raw(), bytes.size());
    done(std::move(bytes), nullptr);
  });
}

void CpuBackend::synchronize() {
  stream_.synchronize();
  raisePendingError();
}

void CpuBackend::raisePendingError() {
  if (std::exception_ptr error = stream_.takeError()) std::rethrow_exception(error);
}

void CpuBackend::fill(const TensorRef& dst, double value) {
  raisePendingError();
  stream_.enqueue([dst, value] {
    switch (dst.dtype) {
      case DType::Float32: fillConstant(dst.data<float>(), dst.numel, static_cast<float>(value)); break;
      case DType::Float64: fillConstant(dst.data<double>(), dst.numel, value); break;
      case DType::Int32: fillConstant(dst.data<int32_t>(), dst.numel, static_cast<int32_t>(value)); break;
    }
  });
}

void CpuBackend::copy(const TensorRef& dst, const TensorRef& src) {
  raisePendingError();
  stream_.enqueue([dst, src] { std::memmove(dst.raw(), src.raw(), dst.bytes()); });
}

uint64_t CpuBackend::uniform(const TensorRef& dst, uint64_t seed, uint64_t offset, double low, double high) {
  raisePendingError();
  const bool wide = dst.dtype == DType::Float64;
  stream_.enqueue([dst, seed, offset, low, high, wide] {
    if (wide) fillUniform(dst.data<double>(), dst.numel, seed, offset, low, high);
    else fillUniform(dst.data<float>(), dst.numel, seed, offset, low, high);
  });
  return uniformWords(dst.numel, wide);
}

uint64_t CpuBackend::normal(const TensorRef& dst, uint64_t seed, uint64_t offset, double mean, double stddev) {
  raisePendingError();
  const bool wide = dst.dtype == DType::Float64;
  stream_.enqueue([dst, seed, offset, mean, stddev, wide] {
    if (wide) fillNormal(dst.data<double>(), dst.numel, seed, offset, mean, stddev);
    else fillNormal(dst.data<float>(), dst.numel, seed, offset, mean, stddev);
  });
  return normalWords(dst.numel, wide);
}

}  // namespace gru
