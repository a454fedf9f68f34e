// A snapshot file or a member's backend database, opened for reading.
//
// Snapshots streamed by etcd's Maintenance.Snapshot end with the SHA-256 of
// the database (32 bytes). etcd recognises it as etcdctl restore does: a
// bbolt file is a whole number of pages, so a size that is 32 bytes past a
// multiple of 512 means a trailer is present.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bolt/database.h"

namespace ketcd::snapshot {

inline constexpr size_t kSha256Size = 32;

struct SnapshotFile {
  std::string path;
  bolt::Database db;
  std::string_view covered;                 // the bytes the trailer covers
  std::optional<std::string_view> trailer;  // the SHA-256 etcd appended
  // Read in place from a zip archive: the CRC-32 the archive lists for it
  // (a deflated snapshot's was checked as it was inflated).
  std::optional<uint32_t> zip_crc32;
};

// A snapshot file, plain or in a zip archive (zip_snapshot.h).
Result<SnapshotFile> OpenSnapshot(const std::string& path);

// The backend database of a member's data dir (DIR/member/snap/db).
Result<std::string> BackendPathInDataDir(const std::string& data_dir);

// kDataLoss when the trailer (or the zip archive's CRC-32) does not match
// the content.
Status CheckTrailer(const SnapshotFile& file);

}  // namespace ketcd::snapshot
