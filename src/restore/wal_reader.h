// Reads a member's write-ahead log (every DIR/*.wal segment in sequence
// order) as etcd's decoder does (etcd server/storage/wal/decoder.go), for
// inspecting a data dir and recovering from it:
//   frame   u64 little-endian: the record's length, and when the top bit is
//           set, the bytes of padding after it in bits 56-58; a zero frame
//           or the end of the file ends a segment;
//   record  walpb.Record {type 1, crc 2, data 3}, parsed here by hand (so
//           the reader needs no generated code and can be fuzzed alone);
//   crc     CRC-32C of the data of every record so far, carried from one
//           segment to the next by a crc record at its start.
// Nothing is trusted: lengths are checked against what the file holds, and
// the reading stops at the first damage, which is reported with its file
// and offset: a torn tail (the last segment's last record cut short or
// with a zeroed 512-byte sector, which etcd's repair truncates) or
// corruption (a CRC mismatch, an unparsable record, a segment cut short
// before the last, a gap in the segment sequence), which etcd refuses.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd::restore {

enum WalRecordType : int64_t {
  kWalMetadata = 1,
  kWalEntry = 2,
  kWalState = 3,
  kWalCrc = 4,
  kWalSnapshot = 5,
};

struct WalRecord {
  int64_t type = 0;
  uint32_t crc = 0;
  std::string_view data;  // valid during the visit only
};

struct WalDamage {
  enum class Kind { kTornTail, kCorrupt };
  Kind kind = Kind::kCorrupt;
  std::string segment;  // the file's name
  uint64_t offset = 0;  // of the damaged record's frame
  std::string why;
  // "0000000000000000-0000000000000000.wal at offset 4096: CRC mismatch".
  std::string Describe() const;
};

struct WalScan {
  size_t segments = 0;
  uint64_t records = 0;
  std::optional<WalDamage> damage;  // where the reading stopped early
};

// Visits each record up to the end of the log or its first damage; an
// error of `visit` stops and is returned. kNotFound without a segment.
Result<WalScan> ScanWal(const std::string& wal_dir, const std::function<Status(const WalRecord&)>& visit);

// One segment's bytes, the CRC chain going on from `crc` (0 before the
// first segment); `last`: the log's last segment (where a torn tail can
// be). Sets `damage` where it stops early; returns the CRC reached.
struct WalSegmentRead {
  uint32_t crc = 0;
  uint64_t records = 0;
  std::optional<WalDamage> damage;
};
Result<WalSegmentRead> ScanWalSegment(std::string_view bytes, const std::string& name, bool last, uint32_t crc,
                                      const std::function<Status(const WalRecord&)>& visit);

}  // namespace ketcd::restore
