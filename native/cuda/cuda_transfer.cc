// Copies between the CPU and CUDA devices, each ordered after the work already queued on both
// devices' streams.
#include <cstring>
#include <memory>

#include "../core/cpu_stream.h"
#include "cuda_backend.h"
#include "status.h"

namespace gru {
namespace {

// A device-to-host copy into a pinned buffer, plus the event that marks its completion. Lives
// until the CPU-stream task that waits for it has copied the bytes out.
class PendingDownload {
 public:
  PendingDownload(CudaBackend& backend, PinnedBuffer buffer) : backend_(backend), buffer_(buffer) {}
  ~PendingDownload() {
    if (event_ != nullptr) cudaEventDestroy(event_);
    backend_.pinnedPool().release(buffer_);
  }
  PendingDownload(const PendingDownload&) = delete;
  PendingDownload& operator=(const PendingDownload&) = delete;

  // Queues the copy and the event; on failure waits for the stream, so the buffer is free again.
  void enqueue(const void* deviceSrc, size_t bytes) {
    const cudaStream_t stream = backend_.stream();
    cuda::checkCuda(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming), "cudaEventCreateWithFlags");
    cudaError_t status = cudaMemcpyAsync(buffer_.data, deviceSrc, bytes, cudaMemcpyDeviceToHost, stream);
    if (status == cudaSuccess) status = cudaEventRecord(event_, stream);
    if (status != cudaSuccess) {
      cudaStreamSynchronize(stream);
      cuda::checkCuda(status, "cudaMemcpyAsync/cudaEventRecord");
    }
  }

  // Runs on the CPU stream's worker: blocks that thread (not JS) until the copy is done.
  void waitAndCopyTo(void* hostDst, size_t bytes) const {
    const cudaError_t status = cudaEventSynchronize(event_);
    if (status != cudaSuccess) throw cuda::cudaFailure(status, "copying a cuda tensor to the cpu");
    std::memcpy(hostDst, buffer_.data, bytes);
  }

 private:
  CudaBackend& backend_;
  PinnedBuffer buffer_;
  cudaEvent_t event_ = nullptr;
};

}  // namespace

void CudaBackend::copyFromHost(const TensorRef& dst, const void* src) {
  requireDevice(dst, "copyFromHost");
  raisePendingError();
  enqueueUpload(dst.raw(), src, dst.bytes());
}

void CudaBackend::copyToHostOnStream(const TensorRef& dst, const TensorRef& src, CpuStream& cpuStream) {
  requireDevice(src, "copyToHostOnStream");
  raisePendingError();
  const size_t bytes = src.bytes();
  if (bytes == 0) return;
  PinnedBuffer buffer = pinned_.acquire(bytes);
  if (buffer.data == nullptr) {
    // No pinned memory: finish both streams, then copy synchronously.
    cpuStream.synchronize();
    readSync(src, dst.raw());
    return;
  }
  auto pending = std::make_shared<PendingDownload>(*this, buffer);
  pending->enqueue(src.raw(), bytes);
  cpuStream.enqueue([pending, dst, bytes] { pending->waitAndCopyTo(dst.raw(), bytes); });
}

}  // namespace gru
