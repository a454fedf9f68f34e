// How etcd lays out its MVCC state in the backend (bbolt) database. Facts
// from etcd's mvcc/revision.go, mvcc/kvstore.go, etcdserver/cindex and
// etcdserver/api/membership/store.go:
//   bucket "key":     revision key -> mvccpb.KeyValue (all kept revisions);
//                     revision key = main (8 bytes BE) '_' sub (8 bytes BE),
//                     with a trailing 't' for a deletion (tombstone).
//   bucket "meta":    "consistent_index" (8 bytes BE), "term" (3.5+),
//                     "scheduledCompactRev"/"finishedCompactRev" (revision keys),
//                     "storageVersion" (3.6+: "3.6.0", server/storage/schema).
//   bucket "members": member id in hex -> JSON attributes.
//   bucket "cluster": "clusterVersion" -> "3.5.0".
//   bucket "lease":   lease ID (8 bytes BE) -> leasepb.Lease{ID 1, TTL 2}.
//   bucket "alarm":   etcdserverpb.AlarmMember{MemberID 1, Alarm 2} -> "".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/varint.h"

namespace ketcd::snapshot {

inline constexpr std::string_view kKeyBucket = "key";
inline constexpr std::string_view kMetaBucket = "meta";
inline constexpr std::string_view kMembersBucket = "members";
inline constexpr std::string_view kClusterBucket = "cluster";
inline constexpr std::string_view kLeaseBucket = "lease";
inline constexpr std::string_view kAlarmBucket = "alarm";
inline constexpr size_t kRevisionKeySize = 17;
inline constexpr char kTombstoneMark = 't';

struct Revision {
  int64_t main = 0;
  int64_t sub = 0;
  auto operator<=>(const Revision&) const = default;
};

inline uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// The revision a key of the "key" bucket names, or nothing if malformed.
struct RevisionKey {
  Revision revision;
  bool tombstone = false;
};
inline std::optional<RevisionKey> ParseRevisionKey(std::string_view key) {
  if (key.size() < kRevisionKeySize || key[8] != '_') return std::nullopt;
  if (key.size() > kRevisionKeySize + 1 ||
      (key.size() == kRevisionKeySize + 1 && key.back() != kTombstoneMark)) {
    return std::nullopt;
  }
  return RevisionKey{{static_cast<int64_t>(ReadBigEndian64(key.substr(0, 8))),
                      static_cast<int64_t>(ReadBigEndian64(key.substr(9, 8)))},
                     key.size() == kRevisionKeySize + 1};
}

// The user key of a stored mvccpb.KeyValue, read straight from the bytes:
// etcd (gogo protobuf) marshals field 1, the key, first.
inline std::optional<std::string_view> StoredUserKey(std::string_view value) {
  if (value.size() < 2 || value[0] != 0x0a) return std::nullopt;
  uint64_t length = 0;
  size_t at = 1;
  for (int shift = 0; at < value.size() && shift < 35; shift += 7) {
    const auto byte = static_cast<unsigned char>(value[at++]);
    length |= uint64_t{byte & 0x7Fu} << shift;
    if (!(byte & 0x80)) {
      if (length > value.size() - at) return std::nullopt;
      return value.substr(at, length);
    }
  }
  return std::nullopt;
}

inline std::string RevisionKeyBytes(Revision revision, bool tombstone = false) {
  std::string key(kRevisionKeySize + (tombstone ? 1 : 0), '_');
  for (int i = 0; i < 8; ++i) {
    key[7 - i] = static_cast<char>(static_cast<uint64_t>(revision.main) >> (8 * i));
    key[16 - i] = static_cast<char>(static_cast<uint64_t>(revision.sub) >> (8 * i));
  }
  if (tombstone) key.back() = kTombstoneMark;
  return key;
}

// A "lease" bucket value: leasepb.Lease{ID, TTL}, as etcd's lessor stores
// a lease it grants (its remaining TTL, 0, left out).
inline std::string LeaseRecord(int64_t id, int64_t ttl) {
  std::string value;
  value.push_back(0x08);
  AppendVarint(value, static_cast<uint64_t>(id));
  value.push_back(0x10);
  AppendVarint(value, static_cast<uint64_t>(ttl));
  return value;
}

}  // namespace ketcd::snapshot
