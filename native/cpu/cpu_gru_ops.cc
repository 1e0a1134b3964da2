// CpuBackend's GRU: the fast (OpenBLAS) or reference kernel of gru_cpu.h, queued on the CPU
// stream. The lengths' values are checked inside the queued task, since a queued op may still be
// writing them; a bad value surfaces as an ArgumentError at the next synchronising call.
#include <string>

#include "../core/errors.h"
#include "cpu_backend.h"

namespace gru {
namespace {

template <typename T>
T* dataOrNull(const std::optional<TensorRef>& t) {
  return t ? t->data<T>() : nullptr;
}

void checkLengths(const GruConfig& c, const std::optional<TensorRef>& lengths) {
  if (!lengths) return;
  const int32_t* values = lengths->data<int32_t>();
  for (int64_t b = 0; b < c.batch; ++b) {
    if (values[b] < 1 || values[b] > c.seqLen) {
      throw Error(ErrorKind::Argument, "lengths[" + std::to_string(b) + "] = " + std::to_string(values[b]) +
                                           " is outside [1, seqLen = " + std::to_string(c.seqLen) + "]");
    }
  }
}

StoragePtr allocateWorkspace(int64_t elements, DType dtype) {
  if (elements == 0) return nullptr;
  return makeStorage(hostAllocator(), static_cast<size_t>(elements) * dtypeSize(dtype));
}

// The fields GruForwardArgs and GruBackwardArgs share.
template <typename T, typename Args>
void setInputs(Args& a, const GruInputs& r, const StoragePtr& workspace) {
  a.x = r.x.data<T>();
  a.h0 = dataOrNull<T>(r.h0);
  a.weights = r.weights.data<T>();
  a.lengths = dataOrNull<int32_t>(r.lengths);
  a.workspace = workspace ? static_cast<T*>(workspace->data()) : nullptr;
}

template <typename T>
void runForward(const GruForwardRequest& r, const StoragePtr& workspace) {
  GruForwardArgs<T> a;
  setInputs<T>(a, r, workspace);
  a.y = r.y.data<T>();
  a.hN = r.hN.data<T>();
  a.reserve = dataOrNull<T>(r.reserve);
  if (r.kernel == GruKernel::Fast) cpu::gruForward(r.config, a);
  else reference::gruForward(r.config, a);
}

template <typename T>
void runBackward(const GruBackwardRequest& r, const StoragePtr& workspace) {
  GruBackwardArgs<T> a;
  setInputs<T>(a, r, workspace);
  a.reserve = r.reserve.data<T>();
  a.dy = dataOrNull<T>(r.dy);
  a.dhN = dataOrNull<T>(r.dhN);
  a.dx = dataOrNull<T>(r.dx);
  a.dh0 = dataOrNull<T>(r.dh0);
  a.dweights = r.dweights.data<T>();
  if (r.kernel == GruKernel::Fast) cpu::gruBackward(r.config, a);
  else reference::gruBackward(r.config, a);
}

// Streaming steps and other tiny problems (under ~2 MFLOP, tens of microseconds) run inline
// when the CPU stream is idle: a thread hand-off would cost more than the work.
bool isSmallProblem(const GruConfig& c) {
  const double perStep = 6.0 * static_cast<double>(c.batch) * static_cast<double>(c.hiddenSize) *
                         static_cast<double>(c.inputSize + c.hiddenSize) * static_cast<double>(c.directions());
  return perStep * static_cast<double>(c.seqLen) * static_cast<double>(c.numLayers) < 2e6;
}

}  // namespace

GruBufferSizes CpuBackend::gruBufferSizes(const GruConfig& config, GruKernel kernel, DType) {
  return kernel == GruKernel::Fast ? cpu::gruBufferSizes(config) : reference::gruBufferSizes(config);
}

void CpuBackend::gruForward(const GruForwardRequest& request) {
  raisePendingError();
  const DType dtype = request.x.dtype;
  StoragePtr workspace = allocateWorkspace(gruBufferSizes(request.config, request.kernel, dtype).forwardWorkspace, dtype);
  stream_.enqueue([request, workspace = std::move(workspace), dtype] {
    checkLengths(request.config, request.lengths);
    if (dtype == DType::Float32) runForward<float>(request, workspace);
    else runForward<double>(request, workspace);
  }, isSmallProblem(request.config));
}

void CpuBackend::gruBackward(const GruBackwardRequest& request) {
  raisePendingError();
  const DType dtype = request.x.dtype;
  StoragePtr workspace = allocateWorkspace(gruBufferSizes(request.config, request.kernel, dtype).backwardWorkspace, dtype);
  stream_.enqueue([request, workspace = std::move(workspace), dtype] {
    checkLengths(request.config, request.lengths);
    if (dtype == DType::Float32) runBackward<float>(request, workspace);
    else runBackward<double>(request, workspace);
  });
}

}  // namespace gru
