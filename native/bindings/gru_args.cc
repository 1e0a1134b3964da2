#include "gru_args.h"

#include <string>

#include "../core/errors.h"
#include "args.h"

namespace gru {

// Checks one tensor: on `device`, of `dtype`, with exactly `numel` elements.
void requireTensor(const TensorRef& t, size_t index, const char* name, DType dtype, int64_t numel, const char* shape,
                   DeviceKind device) {
  if (t.device() != device) {
    throw Error(ErrorKind::Device, argLabel(index, name) + " is on " + deviceName(t.device()) + " but must be on " +
                                       deviceName(device) + " like x");
  }
  if (t.dtype != dtype) {
    throw Error(ErrorKind::DType, argLabel(index, name) + " must be " + dtypeName(dtype) + " (like x), got " + dtypeName(t.dtype));
  }
  if (t.numel != numel) {
    throw Error(ErrorKind::Shape, argLabel(index, name) + " must have " + std::to_string(numel) + " elements (" + shape +
                                      "), got " + std::to_string(t.numel));
  }
}

void requireOptional(const std::optional<TensorRef>& t, size_t index, const char* name, DType dtype, int64_t numel,
                     const char* shape, DeviceKind device) {
  if (t) requireTensor(*t, index, name, dtype, numel, shape, device);
}

std::vector<int32_t> lengthsArg(const Napi::CallbackInfo& info, size_t index, const GruConfig& c) {
  if (index >= info.Length() || info[index].IsNull() || info[index].IsUndefined()) return {};
  const TypedArrayView array = typedArrayArg(info, index, "lengths");
  if (array.type != napi_int32_array || array.length != static_cast<size_t>(c.batch)) {
    throw Error(ErrorKind::Argument, argLabel(index, "lengths") + " must be an Int32Array of batch = " +
                                         std::to_string(c.batch) + " entries");
  }
  const auto* values = static_cast<const int32_t*>(array.data);
  std::vector<int32_t> lengths(values, values + c.batch);
  for (size_t b = 0; b < lengths.size(); ++b) {
    if (lengths[b] < 1 || lengths[b] > c.seqLen) {
      throw Error(ErrorKind::Argument, argLabel(index, "lengths") + "[" + std::to_string(b) + "] = " +
                                           std::to_string(lengths[b]) + " is outside [1, seqLen = " + std::to_string(c.seqLen) + "]");
    }
  }
  return lengths;
}

TensorRef allocateLike(Backend& backend, const TensorRef& like, int64_t numel) {
  return TensorRef{makeStorage(backend.allocator(), static_cast<size_t>(numel) * dtypeSize(like.dtype)), 0, numel, like.dtype};
}

}  // namespace gru
