// Element types a tensor can hold. The numeric values are shared with lib/native/types.ts
// (checked by a test against constants()), so never renumber them.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gru {

enum class DType : int32_t { Float32 = 0, Float64 = 1, Int32 = 2 };
constexpr int kDTypeCount = 3;

inline size_t dtypeSize(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int32: return 4;
  }
  return 0;
}

inline const char* dtypeName(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
  }
  return "unknown";
}

inline bool isValidDType(int32_t v) { return v >= 0 && v < kDTypeCount; }

enum class DeviceKind : int32_t { Cpu = 0, Cuda = 1 };

inline const char* deviceName(DeviceKind d) { return d == DeviceKind::Cpu ? "cpu" : "cuda"; }

}  // namespace gru
