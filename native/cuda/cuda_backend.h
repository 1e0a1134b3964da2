// CudaBackend: the Backend of CUDA device 0. Every op is queued, in order, on one CUDA stream
// (cudaStreamNonBlocking, so it never waits on the legacy default stream) and returns at once;
// reads wait for the stream. One instance serves the whole process (every env and worker thread):
// one stream means one order of execution, which is what makes the caching allocator's reuse
// safe (Note [CUDA caching allocator]). cuDNN and cuBLAS handles are bound to that stream and
// created on first use; calls through them are serialised by a mutex, since a handle must not
// be used by two threads at once.
//
// Errors: a launch or API failure throws at once. Failures of queued work (a kernel fault, a
// failed async copy) surface at the next op, synchronize() or read, like the CPU stream.
#pragma once
#include <cuda_runtime_api.h>

#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "../backend.h"
#include "cublas_api.h"
#include "cudnn_api.h"
#include "pinned_pool.h"

namespace gru {

class CpuStream;
class CudnnGru;

class CudaBackend final : public Backend {
 public:
  CudaBackend();  // creates the stream
  ~CudaBackend() override;
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;

  DeviceKind device() const override { return DeviceKind::Cuda; }
  Allocator& allocator() override;
  cudaStream_t stream() const { return stream_; }

  void uploadNew(const TensorRef& dst, const void* src) override;
  void readSync(const TensorRef& src, void* dst) override;
  void readAsync(const TensorRef& src, void* dst, ReadDone done) override;
  void synchronize() override;
  void raisePendingError() override;

  // fill, copy, random: cuda_backend.cc; binary, axpby, sum, gemm: cuda_math_ops.cc; the GRU
  // through cuDNN: cuda_gru.cc (workspace and reserve sized per call from its lengths).
  GRU_BACKEND_OP_OVERRIDES
  bool gruBackwardReadsOutput() const override { return true; }
  // How cuDNN reaches the flat weights of this network shape (CudnnGru::weightRoute).
  std::string gruWeightRoute(const GruConfig& config, DType dtype);

  // Cross-device copies (cuda_transfer.cc). Host to device: `src` is read before the call
  // returns (the caller has made sure no queued CPU op still writes it).
  void copyFromHost(const TensorRef& dst, const void* src);
  // Device to host, ordered after the work queued on both streams: the device copy is queued
  // here, and `cpuStream` gets a task that waits for it and then writes `dst`.
  void copyToHostOnStream(const TensorRef& dst, const TensorRef& src, CpuStream& cpuStream);

  // Waits for the device, then frees the allocator's cached blocks and idle pinned buffers.
  void emptyCache();

  // Library handles, created on first use and bound to the stream. Hold libraryMutex() while
  // calling through them.
  cudnn::Handle cudnnHandle();
  cublas::Handle cublasHandle();
  std::mutex& libraryMutex() { return libraryMutex_; }

  // Queues an async copy of `bytes` host bytes to device memory through a pinned buffer.
  void enqueueUpload(void* deviceDst, const void* hostSrc, size_t bytes);
  // Records a failure of queued work (from a stream callback) for raisePendingError().
  void recordError(std::exception_ptr error);
  PinnedPool& pinnedPool() { return pinned_; }

 private:
  void requireDevice(const TensorRef& ref, const char* what) const;

  cudaStream_t stream_ = nullptr;
  PinnedPool pinned_;
  std::mutex libraryMutex_;
  cudnn::Handle cudnn_ = nullptr;
  cublas::Handle cublas_ = nullptr;
  std::unique_ptr<CudnnGru> gru_;
  std::mutex errorMutex_;
  std::exception_ptr pendingError_;
};

// The process's CudaBackend, created on first call when the probe says CUDA is usable; throws
// BackendUnavailable with the probe's reason otherwise.
CudaBackend& sharedCudaBackend();
// The backend if it was created, else null (emptyCache must not create one).
CudaBackend* existingCudaBackend();

}  // namespace gru
