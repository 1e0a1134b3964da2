// The Backend interface: what every device implements, one virtual per op family, each taking a
// request struct (ops/requests.h, ops/gru_requests.h). Bindings validate arguments, build the
// request, then call one of these; a backend queues the work on its device's stream and returns
// at once. Backends trust their requests: validation happens once, in the bindings.
#pragma once
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>

#include "core/dtype.h"
#include "core/storage.h"
#include "core/tensor_ref.h"
#include "ops/gru_requests.h"
#include "ops/requests.h"
#include "ops/training_requests.h"

namespace gru {

// The op families every backend implements: (return type, name, request). A backend declares
// them all with GRU_BACKEND_OP_OVERRIDES, so a new family is one line here and its definitions.
// Training GRU forwards return the reserve the backend allocated for backward (sized by what
// only it knows: its kernel, the lengths, cuDNN).
#define GRU_BACKEND_OPS(X)                                  \
  X(void, fill, FillRequest)                                \
  X(void, copy, CopyRequest)                                \
  X(void, random, RandomRequest)                            \
  X(void, binary, BinaryRequest)                            \
  X(void, axpby, AxpbyRequest)                              \
  X(void, sum, SumRequest)                                  \
  X(void, gemm, GemmRequest)                                \
  X(void, cast, CastRequest)                                \
  X(void, unary, UnaryRequest)                              \
  X(void, unaryBackward, UnaryBackwardRequest)              \
  X(void, stridedCopy, StridedCopyRequest)                  \
  X(void, reduce, ReduceRequest)                            \
  X(void, softmax, SoftmaxRequest)                          \
  X(void, softmaxBackward, SoftmaxBackwardRequest)          \
  X(void, gather, GatherRequest)                            \
  X(void, elementLoss, ElementLossRequest)                  \
  X(void, elementLossBackward, ElementLossBackwardRequest)  \
  X(void, classLoss, ClassLossRequest)                      \
  X(void, classLossBackward, ClassLossBackwardRequest)      \
  X(void, optimizerStep, OptimizerRequest)                  \
  X(std::optional<TensorRef>, gruForward, GruForwardRequest) \
  X(void, gruBackward, GruBackwardRequest)                    \
  X(void, gruGates, GruGatesRequest)                          \
  X(void, gruGatesBackward, GruGatesBackwardRequest)

#define GRU_OVERRIDE_OP(ret, name, request) ret name(const request& r) override;
#define GRU_BACKEND_OP_OVERRIDES GRU_BACKEND_OPS(GRU_OVERRIDE_OP)

class Backend {
 public:
  // Called once the bytes are in place (or with the failure); runs on any thread.
  using ReadDone = std::function<void(std::exception_ptr error)>;

  virtual ~Backend() = default;
  virtual DeviceKind device() const = 0;
  virtual Allocator& allocator() = 0;

  // Writes `bytes` from host memory into a storage no queued op uses yet (a new tensor).
  virtual void uploadNew(const TensorRef& dst, const void* src) = 0;
  // Blocks until all queued work is done, then copies the tensor's bytes to host memory `dst`.
  virtual void readSync(const TensorRef& src, void* dst) = 0;
  // Copies the tensor's bytes to host memory `dst` once queued work is done, then calls `done`.
  // `dst` must stay valid until then.
  virtual void readAsync(const TensorRef& src, void* dst, ReadDone done) = 0;
  virtual void synchronize() = 0;
  // Throws the first failure of queued work since the last check, if any.
  virtual void raisePendingError() = 0;

#define GRU_PURE_VIRTUAL_OP(ret, name, request) virtual ret name(const request& r) = 0;
  GRU_BACKEND_OPS(GRU_PURE_VIRTUAL_OP)
#undef GRU_PURE_VIRTUAL_OP

  // Whether gruBackward reads the forward's output (cuDNN does; the CPU kernels do not).
  virtual bool gruBackwardReadsOutput() const = 0;
};

}  // namespace gru
