// Note [op codes]
// Every code that crosses the JS/native boundary is listed once here, as an X-macro list of
// (name, value, JS name). The enums below are generated from the lists, constants() exports
// them (runtime_bindings.cc), and a test checks lib/'s names against that export, so a code can
// neither be renumbered nor mistyped on one side only.
#pragma once
#include <cstdint>

namespace gru {

#define GRU_BINARY_OPS(X) \
  X(Add, 0, "add")        \
  X(Sub, 1, "sub")        \
  X(Mul, 2, "mul")        \
  X(Div, 3, "div")

// Which implementation runs an op: the fast one, or the plain-loop reference tests hold it to
// (CPU only).
#define GRU_KERNELS(X)  \
  X(Fast, 0, "fast")    \
  X(Reference, 1, "reference")

#define GRU_DISTRIBUTIONS(X) \
  X(Uniform, 0, "uniform")   \
  X(Normal, 1, "normal")

#define GRU_ENUM_ENTRY(name, value, js) name = value,
enum class BinaryOp : int32_t { GRU_BINARY_OPS(GRU_ENUM_ENTRY) };
enum class Kernel : int32_t { GRU_KERNELS(GRU_ENUM_ENTRY) };
enum class Distribution : int32_t { GRU_DISTRIBUTIONS(GRU_ENUM_ENTRY) };
#undef GRU_ENUM_ENTRY

#define GRU_COUNT_ENTRY(name, value, js) +1
constexpr int32_t kBinaryOpCount = 0 GRU_BINARY_OPS(GRU_COUNT_ENTRY);
constexpr int32_t kKernelCount = 0 GRU_KERNELS(GRU_COUNT_ENTRY);
constexpr int32_t kDistributionCount = 0 GRU_DISTRIBUTIONS(GRU_COUNT_ENTRY);
#undef GRU_COUNT_ENTRY

}  // namespace gru
