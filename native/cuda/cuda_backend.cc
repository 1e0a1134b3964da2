// CudaBackend: the stream, library handles, data movement, sync and error surfacing, fills
// and random draws. Arithmetic is in cuda_math_ops.cc, the GRU in cuda_gru.cc, copies between
// devices in cuda_transfer.cc.
#include "cuda_backend.h"

#include <cstring>
#include <string>
#include <utility>

#include "../core/errors.h"
#include "cuda_allocator.h"
#include "cuda_gru.h"
#include "dynload.h"
#include "kernels/fill.h"
#include "kernels/random.h"
#include "probe.h"
#include "status.h"

namespace gru {
namespace {

// A pinned buffer in flight on the stream, handed back by a stream callback once the stream
// has passed it.
struct PinnedInFlight {
  CudaBackend* backend;
  PinnedBuffer buffer;
};

// Stream callbacks must not call CUDA; returning a buffer to the pool and recording an error
// make no CUDA call. cudaStreamAddCallback (rather than cudaLaunchHostFunc) is used because it
// runs even when the context has failed, so nothing waits forever for a callback.
void CUDART_CB releasePinnedWhenPassed(cudaStream_t, cudaError_t status, void* data) {
  std::unique_ptr<PinnedInFlight> inFlight(static_cast<PinnedInFlight*>(data));
  if (status != cudaSuccess) {
    inFlight->backend->recordError(std::make_exception_ptr(cuda::cudaFailure(status, "a queued cuda copy")));
  }
  inFlight->backend->pinnedPool().release(inFlight->buffer);
}

struct PendingRead {
  CudaBackend* backend;
  PinnedBuffer buffer;
  size_t bytes;
  void* dst;
  Backend::ReadDone done;
};

// Hands the bytes to the reader on the callback thread: copied from the pinned buffer into the
// reader's memory here, before the buffer goes back to the pool.
void CUDART_CB finishRead(cudaStream_t, cudaError_t status, void* data) {
  std::unique_ptr<PendingRead> read(static_cast<PendingRead*>(data));
  std::exception_ptr error;
  if (status == cudaSuccess) {
    if (read->bytes > 0) std::memcpy(read->dst, read->buffer.data, read->bytes);
  } else {
    error = std::make_exception_ptr(cuda::cudaFailure(status, "reading a cuda tensor"));
  }
  read->backend->pinnedPool().release(read->buffer);
  read->done(error);
}

}  // namespace

CudaBackend::CudaBackend() {
  cuda::checkCuda(cudaSetDevice(0), "cudaSetDevice");
  cuda::checkCuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
}

CudaBackend::~CudaBackend() {
  // Only reached if a backend is ever destroyed explicitly; the shared one lives until exit.
  cudaStreamSynchronize(stream_);
  gru_.reset();
  if (cudnn_ != nullptr) cuda::cudnnApi().destroy(cudnn_);
  if (cublas_ != nullptr) cuda::cublasApi().destroy(cublas_);
  pinned_.trim();
  cudaStreamDestroy(stream_);
}

Allocator& CudaBackend::allocator() { return cudaAllocator(); }

void CudaBackend::requireDevice(const TensorRef& ref, const char* what) const {
  if (ref.device() != DeviceKind::Cuda) {
    internalError(std::string(what) + " reached the cuda backend with a tensor on " + deviceName(ref.device()));
  }
}

void CudaBackend::recordError(std::exception_ptr error) {
  std::lock_guard<std::mutex> lock(errorMutex_);
  if (!pendingError_) pendingError_ = std::move(error);
}

void CudaBackend::raisePendingError() {
  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> lock(errorMutex_);
    std::swap(error, pendingError_);
  }
  if (error) std::rethrow_exception(error);
  // A faulted kernel leaves a sticky error that every later query reports.
  const cudaError_t status = cudaStreamQuery(stream_);
  if (status != cudaSuccess && status != cudaErrorNotReady) cuda::checkCuda(status, "queued cuda work");
}

void CudaBackend::synchronize() {
  cuda::checkCuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  raisePendingError();
}

void CudaBackend::enqueueUpload(void* deviceDst, const void* hostSrc, size_t bytes) {
  if (bytes == 0) return;
  PinnedBuffer staging = pinned_.acquire(bytes);
  if (staging.data == nullptr) {
    // No pinned memory to be had: copy from the caller's memory and wait, so it may be reused.
    cuda::checkCuda(cudaMemcpyAsync(deviceDst, hostSrc, bytes, cudaMemcpyHostToDevice, stream_), "cudaMemcpyAsync");
    cuda::checkCuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
    return;
  }
  std::memcpy(staging.data, hostSrc, bytes);
  cudaError_t status = cudaMemcpyAsync(deviceDst, staging.data, bytes, cudaMemcpyHostToDevice, stream_);
  if (status != cudaSuccess) {
    pinned_.release(staging);  // nothing was queued
    cuda::checkCuda(status, "cudaMemcpyAsync");
  }
  auto* inFlight = new PinnedInFlight{this, staging};
  status = cudaStreamAddCallback(stream_, releasePinnedWhenPassed, inFlight, 0);
  if (status != cudaSuccess) {
    delete inFlight;
    cudaStreamSynchronize(stream_);  // the copy may still read the buffer
    pinned_.release(staging);
    cuda::checkCuda(status, "cudaStreamAddCallback");
  }
}

void CudaBackend::uploadNew(const TensorRef& dst, const void* src) {
  requireDevice(dst, "uploadNew");
  raisePendingError();
  enqueueUpload(dst.raw(), src, dst.bytes());
}

void CudaBackend::readSync(const TensorRef& src, void* dst) {
  requireDevice(src, "readSync");
  synchronize();
  if (src.bytes() == 0) return;
  cuda::checkCuda(cudaMemcpyAsync(dst, src.raw(), src.bytes(), cudaMemcpyDeviceToHost, stream_), "cudaMemcpyAsync");
  synchronize();
}

void CudaBackend::readAsync(const TensorRef& src, void* dst, ReadDone done) {
  requireDevice(src, "readAsync");
  raisePendingError();
  const size_t bytes = src.bytes();
  PinnedBuffer buffer = pinned_.acquire(bytes);
  if (buffer.data == nullptr) {
    readSync(src, dst);
    done(nullptr);
    return;
  }
  if (bytes > 0) {
    const cudaError_t status = cudaMemcpyAsync(buffer.data, src.raw(), bytes, cudaMemcpyDeviceToHost, stream_);
    if (status != cudaSuccess) {
      pinned_.release(buffer);
      cuda::checkCuda(status, "cudaMemcpyAsync");
    }
  }
  auto* read = new PendingRead{this, buffer, bytes, dst, std::move(done)};
  const cudaError_t status = cudaStreamAddCallback(stream_, finishRead, read, 0);
  if (status != cudaSuccess) {
    cudaStreamSynchronize(stream_);
    pinned_.release(buffer);
    delete read;  // `done` is never called; the binding rejects the promise with this error
    cuda::checkCuda(status, "cudaStreamAddCallback");
  }
}

void CudaBackend::fill(const FillRequest& r) {
  requireDevice(r.dst, "fill");
  raisePendingError();
  const TensorRef& dst = r.dst;
  cudaError_t status = cudaSuccess;
  switch (dst.dtype) {
    case DType::Float32: status = cuda::launchFillFloat(dst.data<float>(), dst.numel, static_cast<float>(r.value), stream_); break;
    case DType::Float64: status = cuda::launchFillDouble(dst.data<double>(), dst.numel, r.value, stream_); break;
    case DType::Int32: status = cuda::launchFillInt(dst.data<int32_t>(), dst.numel, static_cast<int32_t>(r.value), stream_); break;
  }
  cuda::checkCuda(status, "fill kernel launch");
}

void CudaBackend::copy(const CopyRequest& r) {
  requireDevice(r.dst, "copy");
  requireDevice(r.src, "copy");
  raisePendingError();
  const size_t item = dtypeSize(r.dst.dtype);
  const size_t rowBytes = static_cast<size_t>(r.rowElements) * item;
  if (r.rows > 1) {  // the bindings keep dst and src apart for block copies
    cuda::checkCuda(cudaMemcpy2DAsync(r.dst.raw(), static_cast<size_t>(r.dstRowStride) * item, r.src.raw(),
                                      static_cast<size_t>(r.srcRowStride) * item, rowBytes, static_cast<size_t>(r.rows),
                                      cudaMemcpyDeviceToDevice, stream_),
                    "cudaMemcpy2DAsync");
    return;
  }
  if (rowBytes == 0 || r.dst.raw() == r.src.raw()) return;
  const auto* from = static_cast<const char*>(r.src.raw());
  auto* to = static_cast<char*>(r.dst.raw());
  const bool overlap = from < to + rowBytes && to < from + rowBytes;
  if (!overlap) {
    cuda::checkCuda(cudaMemcpyAsync(to, from, rowBytes, cudaMemcpyDeviceToDevice, stream_), "cudaMemcpyAsync");
    return;
  }
  // cudaMemcpy does not allow overlap (the CPU uses memmove): go through a scratch block.
  StoragePtr scratch = makeStorage(allocator(), rowBytes);
  cuda::checkCuda(cudaMemcpyAsync(scratch->data(), from, rowBytes, cudaMemcpyDeviceToDevice, stream_), "cudaMemcpyAsync");
  cuda::checkCuda(cudaMemcpyAsync(to, scratch->data(), rowBytes, cudaMemcpyDeviceToDevice, stream_), "cudaMemcpyAsync");
}

void CudaBackend::random(const RandomRequest& r) {
  requireDevice(r.dst, "random");
  raisePendingError();
  const cudaError_t status =
      r.dst.dtype == DType::Float64
          ? cuda::launchRandom(r.distribution, r.dst.data<double>(), r.dst.numel, r.seed, r.offset, r.a, r.b, stream_)
          : cuda::launchRandom(r.distribution, r.dst.data<float>(), r.dst.numel, r.seed, r.offset, r.a, r.b, stream_);
  cuda::checkCuda(status, "random kernel launch");
}

cudnn::Handle CudaBackend::cudnnHandle() {
  if (cudnn_ == nullptr) {
    cuda::CudnnApi& api = cuda::cudnnApi();
    cudnn::Handle handle = nullptr;
    cuda::checkCudnn(api.create(&handle), "cudnnCreate");
    const cudnn::Status status = api.setStream(handle, stream_);
    if (status != cudnn::kStatusSuccess) {
      api.destroy(handle);
      cuda::checkCudnn(status, "cudnnSetStream");
    }
    cudnn_ = handle;
  }
  return cudnn_;
}

cublas::Handle CudaBackend::cublasHandle() {
  if (cublas_ == nullptr) {
    cuda::CublasApi& api = cuda::cublasApi();
    cublas::Handle handle = nullptr;
    cuda::checkCublas(api.create(&handle), "cublasCreate_v2");
    cublas::Status status = api.setStream(handle, stream_);
    // Full fp32/fp64 math: no TF32 tensor cores unless asked for (CPU results stay comparable).
    if (status == cublas::kStatusSuccess) status = api.setMathMode(handle, cublas::Math::Default);
    if (status != cublas::kStatusSuccess) {
      api.destroy(handle);
      cuda::checkCublas(status, "cublasSetStream_v2/cublasSetMathMode");
    }
    cublas_ = handle;
  }
  return cublas_;
}

void CudaBackend::emptyCache() {
  synchronize();
  cudaAllocator().emptyCache();
  pinned_.trim();
}

namespace {

std::mutex sharedBackendMutex;
CudaBackend* sharedBackend = nullptr;

}  // namespace

CudaBackend& sharedCudaBackend() {
  std::lock_guard<std::mutex> lock(sharedBackendMutex);
  if (sharedBackend == nullptr) {
    const CudaProbe& probe = cachedCudaProbe();
    if (!probe.available) {
      throw Error(ErrorKind::BackendUnavailable, "the cuda backend is not available: " + probe.reason);
    }
    // Never deleted: storages, queued callbacks and other envs may use it until the process exits.
    sharedBackend = new CudaBackend();
  }
  return *sharedBackend;
}

CudaBackend* existingCudaBackend() {
  std::lock_guard<std::mutex> lock(sharedBackendMutex);
  return sharedBackend;
}

}  // namespace gru
