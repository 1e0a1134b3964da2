// CpuBackend: runs every op on the CPU stream's worker thread (OpenBLAS for GEMMs).
#pragma once
#include "../backend.h"
#include "../core/cpu_stream.h"
#include "../ops/gru_requests.h"
#include "gru_cpu.h"

namespace gru {

class CpuBackend final : public Backend {
 public:
  DeviceKind device() const override { return DeviceKind::Cpu; }
  Allocator& allocator() override { return hostAllocator(); }
  CpuStream& stream() { return stream_; }

  void uploadNew(const TensorRef& dst, const void* src) override;
  void readSync(const TensorRef& src, void* dst) override;
  void readAsync(const TensorRef& src, void* dst, ReadDone done) override;
  void synchronize() override;
  void raisePendingError() override;

  // fill, copy, random: cpu_backend.cc; binary, axpby, sum, gemm: cpu_math_ops.cc; the GRU:
  // cpu_gru_ops.cc.
  GRU_BACKEND_OP_OVERRIDES
  bool gruBackwardReadsOutput() const override { return false; }

  // CPU only, outside the Backend interface (Note [Inference weight copies]): the copy of flat
  // float32 weights, and an inference forward from one (request.weights is the copy).
  TensorRef gruInferenceCopy(const GruConfig& config, const TensorRef& weights, InferenceWeights format);
  void gruForwardInference(const GruForwardRequest& request, InferenceWeights format);

 private:
  // Note [Dead initialisation]: queues a write to `dst` that is skipped if, by the time it
  // runs, nothing else holds dst's storage.
  template <typename Write>
  void enqueueInitialisation(const TensorRef& dst, Write write);

  CpuStream stream_;
};

}  // namespace gru
