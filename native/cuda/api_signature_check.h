// Compile-time comparison of our declared function types with a real header's (used only by
// cudnn_api_check.cc and cublas_api_check.cc): same parameter count, and each parameter (and the
// result) of the same size, pointer-ness and floating-ness, which is what the calling convention
// depends on. Catches swapped or missing parameters without needing the header's own types.
#pragma once
#include <type_traits>

namespace gru {
namespace cuda {

template <typename A, typename B>
constexpr bool sameAbi() {
  if constexpr (std::is_void_v<A> || std::is_void_v<B>) {
    return std::is_void_v<A> && std::is_void_v<B>;
  } else {
    return sizeof(A) == sizeof(B) && std::is_pointer_v<A> == std::is_pointer_v<B> &&
           std::is_floating_point_v<A> == std::is_floating_point_v<B>;
  }
}

template <typename Ours, typename Theirs>
struct SameSignature : std::false_type {};

template <typename RA, typename... A, typename RB, typename... B>
struct SameSignature<RA(A...), RB(B...)> {
  static constexpr bool check() {
    if constexpr (sizeof...(A) != sizeof...(B)) {
      return false;
    } else {
      return sameAbi<RA, RB>() && (sameAbi<A, B>() && ...);
    }
  }
  static constexpr bool value = check();
};

}  // namespace cuda
}  // namespace gru

#define GRU_SAME_VALUE(ours, theirs) \
  static_assert(static_cast<long long>(ours) == static_cast<long long>(theirs), #ours " differs from " #theirs)
#define GRU_SAME_SIGNATURE(ours, function) \
  static_assert(::gru::cuda::SameSignature<ours, std::remove_pointer_t<decltype(&::function)>>::value, \
                #ours " does not match the header's " #function)
