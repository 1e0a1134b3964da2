// Linked only into the self-contained prebuilt (GRU_NATIVE_STATIC, Note [Prebuilt addon] in
// scripts/prebuild.js). The static libstdc++ references arc4random, which glibc has only since
// 2.36 (std::random_device, never called here); defining it in the addon keeps the binary
// loadable on glibc 2.34 and 2.35 (Ubuntu 22.04, RHEL 9), where it would otherwise fail to load.
#include <sys/random.h>

#include <cstdint>

extern "C" __attribute__((visibility("hidden"))) uint32_t arc4random(void) {
  uint32_t value = 0;
  while (getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
  }
  return value;
}
