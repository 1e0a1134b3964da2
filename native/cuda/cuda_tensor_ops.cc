// CudaBackend's shape ops, row-wise math, losses, optimizer updates and the GRU step's gates: launches of the kernels
// in kernels/tensor_ops.cu, kernels/training.cu and kernels/gru_gates.cu. Ops whose inputs hold indices (gather, class
// losses) check them on the device and report a bad one through a stream callback, so the error
// surfaces at the next op or read, as a failure of queued CPU work does.
#include <memory>
#include <string>

#include "../core/errors.h"
#include "cuda_backend.h"
#include "kernels/gru_gates.h"
#include "kernels/tensor_ops.h"
#include "kernels/training.h"
#include "status.h"

namespace gru {
namespace {

constexpr long long kNoBadIndex = 0x7F7F7F7F7F7F7F7FLL;  // what a 0x7F memset leaves

template <typename Launch>
cudaError_t byFloatType(DType dtype, Launch launch) {
  return dtype == DType::Float64 ? launch(double{}) : launch(float{});
}

struct IndexCheck {
  CudaBackend* backend;
  PinnedBuffer buffer;
  std::string message;  // completed with the position
};

void CUDART_CB reportBadIndex(cudaStream_t, cudaError_t status, void* data) {
  std::unique_ptr<IndexCheck> check(static_cast<IndexCheck*>(data));
  const long long first = *static_cast<const long long*>(check->buffer.data);
  if (status == cudaSuccess && first != kNoBadIndex) {
    check->backend->recordError(std::make_exception_ptr(Error(ErrorKind::Argument, check->message + std::to_string(first) + ")")));
  }
  check->backend->pinnedPool().release(check->buffer);
}

// Runs launch(firstBad) with a device word for the first bad position, then queues its check.
// `message` ends in "(the first at ...": the position and ")" complete it.
template <typename Launch>
void withIndexCheck(CudaBackend& backend, const std::string& message, Launch launch) {
  StoragePtr word = makeStorage(backend.allocator(), sizeof(long long));
  auto* firstBad = static_cast<long long*>(word->data());
  cuda::checkCuda(cudaMemsetAsync(firstBad, 0x7F, sizeof(long long), backend.stream()), "cudaMemsetAsync");
  cuda::checkCuda(launch(firstBad), "an indexing kernel launch");
  PinnedBuffer buffer = backend.pinnedPool().acquire(sizeof(long long));
  if (buffer.data == nullptr) {  // no pinned memory: check synchronously
    long long first = kNoBadIndex;
    cuda::checkCuda(cudaMemcpyAsync(&first, firstBad, sizeof first, cudaMemcpyDeviceToHost, backend.stream()), "cudaMemcpyAsync");
    cuda::checkCuda(cudaStreamSynchronize(backend.stream()), "cudaStreamSynchronize");
    if (first != kNoBadIndex) throw Error(ErrorKind::Argument, message + std::to_string(first) + ")");
    return;
  }
  const cudaError_t copied = cudaMemcpyAsync(buffer.data, firstBad, sizeof(long long), cudaMemcpyDeviceToHost, backend.stream());
  if (copied != cudaSuccess) backend.pinnedPool().release(buffer);  // nothing was queued to write it
  cuda::checkCuda(copied, "cudaMemcpyAsync");
  auto check = std::make_unique<IndexCheck>(IndexCheck{&backend, buffer, message});
  const cudaError_t status = cudaStreamAddCallback(backend.stream(), reportBadIndex, check.get(), 0);
  if (status != cudaSuccess) {
    // The copy may still be writing the buffer: let it land before the pool hands it out again.
    cudaStreamSynchronize(backend.stream());
    backend.pinnedPool().release(buffer);
  }
  cuda::checkCuda(status, "cudaStreamAddCallback");
  check.release();
}

}  // namespace

void CudaBackend::cast(const CastRequest& r) {
  raisePendingError();
  cuda::checkCuda(cuda::launchCast(r.out.raw(), r.out.dtype, r.a.raw(), r.a.dtype, r.out.numel, stream()), "cast kernel launch");
}

void CudaBackend::unary(const UnaryRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.out.dtype, [&](auto tag) {
                    using T = decltype(tag);
                    return cuda::launchUnary(r.op, r.out.data<T>(), r.a.data<T>(), r.out.numel, r.p0, r.p1, stream());
                  }),
                  "unary kernel launch");
}

void CudaBackend::unaryBackward(const UnaryBackwardRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.gradIn.dtype, [&](auto tag) {
                    using T = decltype(tag);
                    return cuda::launchUnaryBackward(r.op, r.gradIn.data<T>(), r.gradOut.data<T>(), r.x.data<T>(), r.y.data<T>(),
                                                     r.gradIn.numel, r.p0, r.p1, stream());
                  }),
                  "unary backward kernel launch");
}

void CudaBackend::stridedCopy(const StridedCopyRequest& r) {
  raisePendingError();
  cuda::checkCuda(cuda::launchStridedCopy(r.dst.raw(), r.src.raw(), static_cast<int>(dtypeSize(r.dst.dtype)), r.geometry, stream()),
                  "strided copy kernel launch");
}

void CudaBackend::reduce(const ReduceRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.a.dtype, [&](auto tag) { return cuda::launchReduce<decltype(tag)>(r, stream()); }), "reduce kernel launch");
}

void CudaBackend::softmax(const SoftmaxRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.a.dtype, [&](auto tag) { return cuda::launchSoftmax<decltype(tag)>(r, stream()); }), "softmax kernel launch");
}

void CudaBackend::softmaxBackward(const SoftmaxBackwardRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.y.dtype, [&](auto tag) { return cuda::launchSoftmaxBackward<decltype(tag)>(r, stream()); }),
                  "softmax backward kernel launch");
}

void CudaBackend::gruGates(const GruGatesRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.gi.dtype, [&](auto tag) { return cuda::launchGruGates<decltype(tag)>(r, stream()); }), "GRU gates kernel launch");
}

void CudaBackend::gruGatesBackward(const GruGatesBackwardRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.saved.dtype, [&](auto tag) { return cuda::launchGruGatesBackward<decltype(tag)>(r, stream()); }),
                  "GRU gates backward kernel launch");
}

void CudaBackend::gather(const GatherRequest& r) {
  raisePendingError();
  const std::string message = r.what + " contains an index out of range for a dimension of size " + std::to_string(r.n) +
                              " (the first at flat position ";
  withIndexCheck(*this, message, [&](long long* firstBad) {
    if (r.a.dtype == DType::Int32) return cuda::launchGather<int32_t>(r, firstBad, stream());
    return byFloatType(r.a.dtype, [&](auto tag) { return cuda::launchGather<decltype(tag)>(r, firstBad, stream()); });
  });
}

void CudaBackend::elementLoss(const ElementLossRequest& r) {
  raisePendingError();
  auto launch = [&](long long* firstBad) {
    return byFloatType(r.input.dtype, [&](auto tag) { return cuda::launchElementLoss<decltype(tag)>(r, firstBad, stream()); });
  };
  if (r.kind != ElementLoss::BinaryCrossEntropy) {
    cuda::checkCuda(launch(nullptr), "loss kernel launch");
    return;
  }
  // The CPU loop names the bad value too; here only the position comes back.
  const std::string message = "binaryCrossEntropy(): input must hold probabilities in [0, 1] and target values in [0, 1] "
                              "(the first outside at flat position ";
  withIndexCheck(*this, message, launch);
}

void CudaBackend::elementLossBackward(const ElementLossBackwardRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.gradIn.dtype, [&](auto tag) { return cuda::launchElementLossBackward<decltype(tag)>(r, stream()); }),
                  "loss backward kernel launch");
}

void CudaBackend::classLoss(const ClassLossRequest& r) {
  raisePendingError();
  const std::string message = "target contains a class out of range for " + std::to_string(r.classes) + " classes (the first at row ";
  withIndexCheck(*this, message, [&](long long* firstBad) {
    return byFloatType(r.input.dtype, [&](auto tag) { return cuda::launchClassLoss<decltype(tag)>(r, firstBad, stream()); });
  });
}

void CudaBackend::classLossBackward(const ClassLossBackwardRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.gradIn.dtype, [&](auto tag) { return cuda::launchClassLossBackward<decltype(tag)>(r, stream()); }),
                  "class loss backward kernel launch");
}

void CudaBackend::optimizerStep(const OptimizerRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.entries.front().param.dtype, [&](auto tag) { return cuda::launchOptimizerStep<decltype(tag)>(r, stream()); }),
                  "optimizer kernel launch");
}

}  // namespace gru
