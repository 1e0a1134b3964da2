// The Backend interface: what every device implements. Bindings validate arguments, then call
// one of these; a backend queues the work on its device's stream and returns at once.
#pragma once
#include <cstdint>
#include <exception>
#include <functional>
#include <vector>

#include "core/dtype.h"
#include "core/storage.h"
#include "core/tensor_ref.h"
#include "cpu/elementwise.h"
#include "gru_requests.h"

namespace gru {

class Backend {
 public:
  using ReadCallback = std::function<void(std::vector<uint8_t> bytes, std::exception_ptr error)>;

  virtual ~Backend() = default;
  virtual DeviceKind device() const = 0;
  virtual Allocator& allocator() = 0;

  // Writes `bytes` from host memory into a storage no queued op uses yet (a new tensor).
  virtual void uploadNew(const TensorRef& dst, const void* src) = 0;
  // Blocks until all queued work is done, then copies the tensor's bytes to `dst`.
  virtual void readSync(const TensorRef& src, void* dst) = 0;
  // Copies the tensor's bytes once queued work is done; `done` runs on any thread.
  virtual void readAsync(const TensorRef& src, ReadCallback done) = 0;
  virtual void synchronize() = 0;
  // Throws the first failure of queued work since the last check, if any.
  virtual void raisePendingError() = 0;

  virtual void fill(const TensorRef& dst, double value) = 0;
  virtual void copy(const TensorRef& dst, const TensorRef& src) = 0;
  // Philox draws; both return the number of generator words consumed.
  virtual uint64_t uniform(const TensorRef& dst, uint64_t seed, uint64_t offset, double low, double high) = 0;
  virtual uint64_t normal(const TensorRef& dst, uint64_t seed, uint64_t offset, double mean, double stddev) = 0;

  // out = a op b; b has a's element count or is a single value (broadcast). out may alias a or b.
  virtual void binary(BinaryOp op, const TensorRef& out, const TensorRef& a, const TensorRef& b) = 0;
  // dst = alpha * src + beta * dst (beta 0: dst is only written).
  virtual void axpby(const TensorRef& dst, const TensorRef& src, double alpha, double beta) = 0;
  // out (one element) = sum of a.
  virtual void sum(const TensorRef& out, const TensorRef& a) = 0;
  // Row-major C[m x n] = alpha * op(A) * op(B) + beta * C, op = transpose when the flag is set;
  // A is [m x k] ([k x m] when transA), B is [k x n] ([n x k] when transB).
  virtual void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, double alpha, const TensorRef& a,
                    const TensorRef& b, double beta, const TensorRef& c) = 0;

  // The whole multi-layer GRU over a sequence (gru_requests.h). Element counts of the buffers a
  // call needs for `config` in `dtype`: `reserve` sizes the training forward's reserve tensor.
  virtual GruBufferSizes gruBufferSizes(const GruConfig& config, GruKernel kernel, DType dtype) = 0;
  virtual void gruForward(const GruForwardRequest& request) = 0;
  virtual void gruBackward(const GruBackwardRequest& request) = 0;
};

}  // namespace gru
