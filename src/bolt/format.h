// The on-disk layout of bbolt (go.etcd.io/bbolt) files, which etcd uses as
// its backend database. Facts from bbolt's page.go, db.go and bucket.go:
//
//   page      = header {id u64, flags u16, count u16, overflow u32} + body;
//               a page spans (overflow + 1) * page_size bytes.
//   meta      = body of pages 0 and 1: {magic u32, version u32, page_size u32,
//               flags u32, root bucket {root pgid u64, sequence u64},
//               freelist pgid u64, high-water pgid u64, txid u64,
//               checksum u64 = FNV-1a 64 of the 56 bytes before it}.
//   branch    = count elements {pos u32, ksize u32, child pgid u64};
//   leaf      = count elements {flags u32, pos u32, ksize u32, vsize u32};
//               pos is relative to the element's own offset.
//   bucket    = leaf value {root pgid u64, sequence u64}; root 0 means the
//               bucket is inline: a leaf page follows in the same value.
//   freelist  = count page ids u64; count 0xFFFF means the real count is
//               the first u64 of the body.
// All integers are little-endian (bbolt writes host order; every platform
// etcd supports in production is little-endian).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ketcd::bolt {

static_assert(std::endian::native == std::endian::little,
              "the bbolt reader assumes a little-endian host");

inline constexpr uint32_t kMagic = 0xED0CDAED;
inline constexpr uint32_t kVersion = 2;
inline constexpr size_t kPageHeaderSize = 16;
inline constexpr size_t kElementSize = 16;  // branch and leaf elements alike
inline constexpr size_t kBucketHeaderSize = 16;
inline constexpr size_t kMetaChecksumOffset = 56;  // within the meta body
inline constexpr size_t kMetaSize = 64;
inline constexpr uint64_t kNoFreelist = ~uint64_t{0};
inline constexpr uint16_t kFreelistCountOverflow = 0xFFFF;

enum PageFlag : uint16_t {
  kBranchPage = 0x01,
  kLeafPage = 0x02,
  kMetaPage = 0x04,
  kFreelistPage = 0x10,
};
inline constexpr uint32_t kBucketLeafFlag = 0x01;

template <typename T>
T Load(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

template <typename T>
void Store(char* at, T value) {
  std::memcpy(at, &value, sizeof value);
}

// FNV-1a 64 of the meta body up to its checksum field.
inline uint64_t MetaChecksum(const char* meta_body) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < kMetaChecksumOffset; ++i) {
    hash ^= static_cast<unsigned char>(meta_body[i]);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

inline const char* PageTypeName(uint16_t flags) {
  if (flags & kBranchPage) return "branch";
  if (flags & kLeafPage) return "leaf";
  if (flags & kMetaPage) return "meta";
  if (flags & kFreelistPage) return "freelist";
  return "unknown";
}

}  // namespace ketcd::bolt
