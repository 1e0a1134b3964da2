// CpuBackend: runs every op on the CPU stream's worker thread (OpenBLAS for GEMMs).
#pragma once
#include "../backend.h"
#include "../core/cpu_stream.h"

namespace gru {

class CpuBackend final : public Backend {
 public:
  DeviceKind device() const override { return DeviceKind::Cpu; }
  Allocator& allocator() override { return hostAllocator(); }
  CpuStream& stream() { return stream_; }

  void uploadNew(const TensorRef& dst, const void* src) override;
  void readSync(const TensorRef& src, void* dst) override;
  void readAsync(const TensorRef& src, ReadCallback done) override;
  void synchronize() override;
  void raisePendingError() override;

  void fill(const TensorRef& dst, double value) override;
  void copy(const TensorRef& dst, const TensorRef& src) override;
  uint64_t uniform(const TensorRef& dst, uint64_t seed, uint64_t offset, double low, double high) override;
  uint64_t normal(const TensorRef& dst, uint64_t seed, uint64_t offset, double mean, double stddev) override;

  void binary(BinaryOp op, const TensorRef& out, const TensorRef& a, const TensorRef& b) override;
  void axpby(const TensorRef& dst, const TensorRef& src, double alpha, double beta) override;
  void sum(const TensorRef& out, const TensorRef& a) override;
  void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, double alpha, const TensorRef& a,
            const TensorRef& b, double beta, const TensorRef& c) override;

  // cpu_gru_ops.cc
  GruBufferSizes gruBufferSizes(const GruConfig& config, GruKernel kernel, DType dtype) override;
  void gruForward(const GruForwardRequest& request) override;
  void gruBackward(const GruBackwardRequest& request) override;

 private:
  CpuStream stream_;
};

}  // namespace gru
