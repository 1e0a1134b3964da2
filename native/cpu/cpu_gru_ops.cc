// CpuBackend's GRU: the fast (OpenBLAS) or reference kernel of gru_cpu.h, queued on the CPU
// stream, and the inference copies of Note [Inference weight copies]. The backend sizes and
// allocates the reserve and the workspaces.
#include <string>

#include "../core/errors.h"
#include "../ops/gru_gate_step.h"
#include "blas.h"
#include "cpu_backend.h"
#include "float_dispatch.h"
#include "gru_cpu.h"
#include "gru_inference_weights.h"
#include "gru_plan.h"

namespace gru {
namespace {

template <typename T>
T* dataOrNull(const std::optional<TensorRef>& t) {
  return t ? t->data<T>() : nullptr;
}

GruBufferSizes bufferSizes(const GruInputs& r, int threads) {
  return r.kernel == Kernel::Fast ? cpu::gruBufferSizes(r.config, threads) : reference::gruBufferSizes(r.config);
}

StoragePtr allocateScratch(int64_t elements, DType dtype) {
  if (elements == 0) return nullptr;
  return makeStorage(hostAllocator(), static_cast<size_t>(elements) * dtypeSize(dtype));
}

// The fields GruForwardArgs and GruBackwardArgs share.
template <typename T, typename Args>
void setInputs(Args& a, const GruInputs& r, const StoragePtr& workspace, int threads) {
  a.x = r.x.data<T>();
  a.h0 = dataOrNull<T>(r.h0);
  a.weights = r.weights.data<T>();
  a.lengths = r.lengths.empty() ? nullptr : r.lengths.data();
  a.workspace = workspace ? static_cast<T*>(workspace->data()) : nullptr;
  a.threads = threads;
}

template <typename T>
void runForward(const GruForwardRequest& r, const std::optional<TensorRef>& reserve, const StoragePtr& workspace, int threads) {
  GruForwardArgs<T> a;
  setInputs<T>(a, r, workspace, threads);
  a.y = r.y.data<T>();
  a.hN = r.hN.data<T>();
  a.reserve = dataOrNull<T>(reserve);
  if (r.kernel == Kernel::Fast) cpu::gruForward(r.config, a);
  else reference::gruForward(r.config, a);
}

template <typename T>
void runBackward(const GruBackwardRequest& r, const StoragePtr& workspace, int threads) {
  GruBackwardArgs<T> a;
  setInputs<T>(a, r, workspace, threads);
  a.reserve = r.reserve.data<T>();
  a.dy = dataOrNull<T>(r.dy);
  a.dhN = dataOrNull<T>(r.dhN);
  a.dx = dataOrNull<T>(r.dx);
  a.dh0 = dataOrNull<T>(r.dh0);
  a.dweights = dataOrNull<T>(r.dweights);
  if (r.kernel == Kernel::Fast) cpu::gruBackward(r.config, a);
  else reference::gruBackward(r.config, a);
}

// Streaming steps and other tiny problems (under ~2 MFLOP, tens of microseconds) run inline
// when the CPU stream is idle: a thread hand-off would cost more than the work.
bool isSmallGruProblem(const GruConfig& c) {
  const double perStep = 6.0 * static_cast<double>(c.batch) * static_cast<double>(c.hiddenSize) *
                         static_cast<double>(c.inputSize + c.hiddenSize) * static_cast<double>(c.directions());
  return perStep * static_cast<double>(c.seqLen) * static_cast<double>(c.numLayers) < 2e6;
}

}  // namespace

std::optional<TensorRef> CpuBackend::gruForward(const GruForwardRequest& request) {
  raisePendingError();
  const DType dtype = request.x.dtype;
  // The call splits over the threads set when it is made (Note [GRU thread split]).
  const int threads = blasThreads();
  const GruBufferSizes sizes = bufferSizes(request, threads);
  StoragePtr workspace = allocateScratch(sizes.forwardWorkspace, dtype);
  std::optional<TensorRef> reserve;
  if (request.training) {
    reserve = TensorRef{makeStorage(hostAllocator(), static_cast<size_t>(sizes.reserve) * dtypeSize(dtype)), 0,
                        sizes.reserve, dtype};
  }
  stream_.enqueue([request, reserve, workspace = std::move(workspace), dtype, threads] {
    if (dtype == DType::Float32) runForward<float>(request, reserve, workspace, threads);
    else runForward<double>(request, reserve, workspace, threads);
  }, isSmallGruProblem(request.config));
  return reserve;
}

TensorRef CpuBackend::gruInferenceCopy(const GruConfig& config, const TensorRef& weights, InferenceWeights format) {
  raisePendingError();
  const int64_t floats = cpu::InferenceLayout(config, format).totalFloats();
  TensorRef copy{allocateScratch(floats, DType::Float32), 0, floats, DType::Float32};
  stream_.enqueue([config, weights, copy, format] { cpu::packInferenceWeights(config, format, weights.data<float>(), copy.data<float>()); });
  return copy;
}

void CpuBackend::gruForwardInference(const GruForwardRequest& r, InferenceWeights format) {
  raisePendingError();
  // The forward workspace up to the region the per-call packing would use: a copy is packed already.
  const int threads = blasThreads();
  StoragePtr workspace = allocateScratch(cpu::GruPlan(r.config, threads).inferenceCopyWorkspaceSize(), DType::Float32);
  stream_.enqueue([r, workspace = std::move(workspace), format, threads] {
    GruForwardArgs<float> a;
    setInputs<float>(a, r, workspace, threads);
    a.y = r.y.data<float>();
    a.hN = r.hN.data<float>();
    // Note [Inference weight copies]: r.weights is the copy.
    a.inferenceCopy = a.weights;
    a.weights = nullptr;
    a.inferenceFormat = format;
    cpu::gruForward(r.config, a);
  }, isSmallGruProblem(r.config));
}

void CpuBackend::gruBackward(const GruBackwardRequest& request) {
  raisePendingError();
  const DType dtype = request.x.dtype;
  const int threads = blasThreads();
  const GruBufferSizes sizes = bufferSizes(request, threads);
  if (request.reserve.numel != sizes.reserve) {
    throw Error(ErrorKind::Argument, "gruBackward: the reserve has " + std::to_string(request.reserve.numel) +
                                         " elements but this call needs " + std::to_string(sizes.reserve) +
                                         ": pass the reserve its training forward returned");
  }
  StoragePtr workspace = allocateScratch(sizes.backwardWorkspace, dtype);
  stream_.enqueue([request, workspace = std::move(workspace), dtype, threads] {
    if (dtype == DType::Float32) runBackward<float>(request, workspace, threads);
    else runBackward<double>(request, workspace, threads);
  });
}

void CpuBackend::gruGates(const GruGatesRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    withFloatType(r.gi.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T *gi = r.gi.data<T>(), *gh = r.gh.data<T>(), *h = r.h.data<T>(), *gates = dataOrNull<T>(r.gates);
      T *out = r.out.data<T>(), *saved = dataOrNull<T>(r.saved);
      for (int64_t b = 0; b < r.batch; ++b) {
        for (int64_t j = 0; j < r.hidden; ++j) {
          switch (r.step) {
            case GruGateStep::ResetAfter: gruGateStepForward(r.activation, r.recurrentActivation, r.hidden, b, j, gi, gh, h, out, saved); break;
            case GruGateStep::ResetPass: gruResetPassForward(r.recurrentActivation, r.hidden, b, j, gi, gh, h, out); break;
            case GruGateStep::UpdatePass: gruUpdatePassForward(r.activation, r.hidden, b, j, gi, gh, gates, h, out, saved); break;
          }
        }
      }
    });
  });
}

void CpuBackend::gruGatesBackward(const GruGatesBackwardRequest& r) {
  raisePendingError();
  stream_.enqueue([r] {
    withFloatType(r.saved.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T *saved = r.saved.data<T>(), *h = r.h.data<T>(), *dOut = r.dOut.data<T>(), *gates = dataOrNull<T>(r.gates);
      T *dgi = r.dgi.data<T>(), *dgh = r.dgh.data<T>(), *dh = r.dh.data<T>(), *dGates = dataOrNull<T>(r.dGates);
      for (int64_t b = 0; b < r.batch; ++b) {
        for (int64_t j = 0; j < r.hidden; ++j) {
          switch (r.step) {
            case GruGateStep::ResetAfter: gruGateStepBackward(r.activation, r.recurrentActivation, r.hidden, b, j, saved, h, dOut, dgi, dgh, dh); break;
            case GruGateStep::ResetPass: gruResetPassBackward(r.recurrentActivation, r.hidden, b, j, saved, h, dOut, dgi, dgh, dh); break;
            case GruGateStep::UpdatePass: gruUpdatePassBackward(r.activation, r.hidden, b, j, gates, h, saved, dOut, dgi, dgh, dGates, dh); break;
          }
        }
      }
    });
  });
}

}  // namespace gru
