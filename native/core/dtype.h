// Element types a tensor can hold, and devices. Listed once as (name, value, JS name[, bytes]);
// constants() exports the lists and lib/dtype.ts takes its codes from that export.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gru {

#define GRU_DTYPES(X)              \
  X(Float32, 0, "float32", 4)      \
  X(Float64, 1, "float64", 8)      \
  X(Int32, 2, "int32", 4)

#define GRU_DEVICES(X) \
  X(Cpu, 0, "cpu")     \
  X(Cuda, 1, "cuda")

#define GRU_DTYPE_ENTRY(name, value, js, bytes) name = value,
enum class DType : int32_t { GRU_DTYPES(GRU_DTYPE_ENTRY) };
#undef GRU_DTYPE_ENTRY
#define GRU_DTYPE_COUNT(name, value, js, bytes) +1
constexpr int kDTypeCount = 0 GRU_DTYPES(GRU_DTYPE_COUNT);
#undef GRU_DTYPE_COUNT

#define GRU_DEVICE_ENTRY(name, value, js) name = value,
enum class DeviceKind : int32_t { GRU_DEVICES(GRU_DEVICE_ENTRY) };
#undef GRU_DEVICE_ENTRY

inline size_t dtypeSize(DType t) {
  switch (t) {
#define GRU_DTYPE_SIZE(name, value, js, bytes) case DType::name: return bytes;
    GRU_DTYPES(GRU_DTYPE_SIZE)
#undef GRU_DTYPE_SIZE
  }
  return 0;
}

inline const char* dtypeName(DType t) {
  switch (t) {
#define GRU_DTYPE_NAME(name, value, js, bytes) case DType::name: return js;
    GRU_DTYPES(GRU_DTYPE_NAME)
#undef GRU_DTYPE_NAME
  }
  return "unknown";
}

inline const char* deviceName(DeviceKind d) {
  switch (d) {
#define GRU_DEVICE_NAME(name, value, js) case DeviceKind::name: return js;
    GRU_DEVICES(GRU_DEVICE_NAME)
#undef GRU_DEVICE_NAME
  }
  return "unknown";
}

}  // namespace gru
