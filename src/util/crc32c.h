// CRC-32C (Castagnoli), the checksum etcd uses for snapshot hashes; uses
// the SSE4.2 instruction when the CPU has it.
#pragma once

#include <cstdint>
#include <string_view>

namespace ketcd {

class Crc32c {
 public:
  void Update(std::string_view bytes);
  uint32_t value() const { return ~state_; }

 private:
  uint32_t state_ = ~0u;
};

}  // namespace ketcd
