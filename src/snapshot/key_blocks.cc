#include "snapshot/key_blocks.h"

#include <algorithm>
#include <cstring>

namespace ketcd::snapshot {

uint64_t KeyBlocks::Copy(std::string_view key) {
  constexpr size_t kBlockSize = size_t{1} << 20;
  if (blocks_.empty() || size_ - used_ < key.size()) {
    size_ = std::max(kBlockSize, key.size());
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size_));
    used_ = 0;
  }
  const uint64_t offset = (uint64_t{blocks_.size() - 1} << 32) | used_;
  std::memcpy(blocks_.back().get() + used_, key.data(), key.size());
  used_ += key.size();
  return offset;
}

uint64_t KeyBlocks::Adopt(KeyBlocks&& other) {
  const uint64_t shift = uint64_t{blocks_.size()} << 32;
  if (other.blocks_.empty()) return shift;
  for (auto& block : other.blocks_) blocks_.push_back(std::move(block));
  used_ = other.used_;
  size_ = other.size_;
  other = KeyBlocks();
  return shift;
}

}  // namespace ketcd::snapshot
