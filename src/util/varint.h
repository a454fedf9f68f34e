// Protobuf base-128 varints read off the front of a byte view, and written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ketcd {

// Reads one varint and removes it from `input`; false when it is truncated
// or longer than ten bytes.
inline bool ReadVarint(std::string_view& input, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !input.empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(input.front());
    input.remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *value = result;
      return true;
    }
  }
  return false;
}

// Appends `value` as a varint.
inline void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

}  // namespace ketcd
