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
};

}  // namespace gru
