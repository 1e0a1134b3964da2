// The messages for a bad index (gather, embedding) or class target, the same from every backend.
#pragma once
#include <cstdint>
#include <string>

namespace gru {

inline std::string badIndexMessage(const std::string& what, int64_t size, int64_t position, int64_t value) {
  return what + " contains index " + std::to_string(value) + " (at flat position " + std::to_string(position) +
         "), out of range for a dimension of size " + std::to_string(size);
}

inline std::string badClassMessage(int64_t classes, int64_t row, int64_t value) {
  return "target contains class " + std::to_string(value) + " (at row " + std::to_string(row) + "), out of range for " +
         std::to_string(classes) + " classes";
}

}  // namespace gru
