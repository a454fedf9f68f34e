// Keys copied back to back into large blocks, each found again by its
// offset (block index << 32 | position): one allocation per megabyte
// instead of one per key, for the millions of keys a file may hold.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace ketcd::snapshot {

class KeyBlocks {
 public:
  uint64_t Copy(std::string_view key);
  std::string_view View(uint64_t offset, uint32_t size) const {
    return {blocks_[offset >> 32].get() + (offset & 0xFFFFFFFF), size};
  }
  // Takes `other`'s blocks after its own; returns what to add to the
  // offsets `other` gave out.
  uint64_t Adopt(KeyBlocks&& other);

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0, size_ = 0;  // of the last block
};

}  // namespace ketcd::snapshot
