// CudaBackend's shape ops, row-wise math, losses, optimizer updates and the GRU step's gates: launches of the kernels
// in kernels/tensor_ops.cu, kernels/training.cu and kernels/gru_gates.cu. Ops whose inputs hold indices (gather, class
// losses) check them on the device and report a bad one through a stream callback, so the error
// surfaces at the next op or read, as a failure of queued CPU work does.
#include <functional>
#include <memory>
#include <string>

#include "../core/errors.h"
#include "../ops/index_errors.h"
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

// Formats the error from the first bad entry's position and value (the value only when checked
// values were given).
using BadEntryMessage = std::function<std::string(long long position, long long value)>;

struct IndexCheck {
  CudaBackend* backend;
  PinnedBuffer buffer;  // [position, value]
  BadEntryMessage message;
};

void CUDART_CB reportBadIndex(cudaStream_t, cudaError_t status, void* data) {
  std::unique_ptr<IndexCheck> check(static_cast<IndexCheck*>(data));
  const auto* bad = static_cast<const long long*>(check->buffer.data);
  if (status == cudaSuccess && bad[0] != kNoBadIndex) {
    check->backend->recordError(std::make_exception_ptr(Error(ErrorKind::Argument, check->message(bad[0], bad[1]))));
  }
  check->backend->pinnedPool().release(check->buffer);
}

// Runs launch(firstBad) with a device word for the first bad position, then queues its check.
// `values` (nullable): the int32 entries checked, so the error can name the bad one.
template <typename Launch>
void withIndexCheck(CudaBackend& backend, const int32_t* values, BadEntryMessage message, Launch launch) {
  constexpr size_t kBytes = 2 * sizeof(long long);
  StoragePtr word = makeStorage(backend.allocator(), kBytes);
  auto* bad = static_cast<long long*>(word->data());
  cuda::checkCuda(cudaMemsetAsync(bad, 0x7F, kBytes, backend.stream()), "cudaMemsetAsync");
  cuda::checkCuda(launch(bad), "an indexing kernel launch");
  if (values) cuda::checkCuda(cuda::launchRecordBadValue(bad, values, kNoBadIndex, backend.stream()), "a bad-index kernel launch");
  PinnedBuffer buffer = backend.pinnedPool().acquire(kBytes);
  if (buffer.data == nullptr) {  // no pinned memory: check synchronously
    long long first[2] = {kNoBadIndex, kNoBadIndex};
    cuda::checkCuda(cudaMemcpyAsync(first, bad, kBytes, cudaMemcpyDeviceToHost, backend.stream()), "cudaMemcpyAsync");
    cuda::checkCuda(cudaStreamSynchronize(backend.stream()), "cudaStreamSynchronize");
    if (first[0] != kNoBadIndex) throw Error(ErrorKind::Argument, message(first[0], first[1]));
    return;
  }
  const cudaError_t copied = cudaMemcpyAsync(buffer.data, bad, kBytes, cudaMemcpyDeviceToHost, backend.stream());
  if (copied != cudaSuccess) backend.pinnedPool().release(buffer);  // nothing was queued to write it
  cuda::checkCuda(copied, "cudaMemcpyAsync");
  auto check = std::make_unique<IndexCheck>(IndexCheck{&backend, buffer, std::move(message)});
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
  auto message = [what = r.what, n = r.n](long long position, long long value) { return badIndexMessage(what, n, position, value); };
  withIndexCheck(*this, r.index.data<int32_t>(), message, [&](long long* firstBad) {
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
  auto message = [](long long position, long long) {
    return "binaryCrossEntropy(): input must hold probabilities in [0, 1] and target values in [0, 1] (the first outside at flat position " +
           std::to_string(position) + ")";
  };
  withIndexCheck(*this, nullptr, message, launch);
}

void CudaBackend::elementLossBackward(const ElementLossBackwardRequest& r) {
  raisePendingError();
  cuda::checkCuda(byFloatType(r.gradIn.dtype, [&](auto tag) { return cuda::launchElementLossBackward<decltype(tag)>(r, stream()); }),
                  "loss backward kernel launch");
}

void CudaBackend::classLoss(const ClassLossRequest& r) {
  raisePendingError();
  auto message = [classes = r.classes](long long row, long long value) { return badClassMessage(classes, row, value); };
  withIndexCheck(*this, r.probabilityTarget ? nullptr : r.target.data<int32_t>(), message, [&](long long* firstBad) {
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
