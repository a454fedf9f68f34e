// CRC-32C (Castagnoli), the checksum etcd uses for snapshot hashes; uses
// the SSE4.2 instruction when the CPU has it.
#pragma once

#include <cstdint>
#include <string_view>

namespace ketcd {

class Crc32c {
 public:
  Crc32c() = default;
  // Going on from a value an earlier hash reached (Go's crc32.New(prev)).
  static Crc32c Continuing(uint32_t value) {
    Crc32c crc;
    crc.state_ = ~value;
    return crc;
  }
  void Update(std::string_view bytes);
  uint32_t value() const { return ~state_; }

  // Parts of one input can be hashed apart (in parallel) and joined: hash
  // each later part into a Segment(), then Append it with its length.
  static Crc32c Segment() {
    Crc32c segment;
    segment.state_ = 0;
    return segment;
  }
  void Append(const Crc32c& segment, uint64_t length);

 private:
  uint32_t state_ = ~0u;
};

}  // namespace ketcd
