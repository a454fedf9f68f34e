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
};

Result<SnapshotFile> OpenSnapshot(const std::string& path);

// The backend database of a member's data dir (DIR/member/snap/db).
Result<std::string> BackendPathInDataDir(const std::string& data_dir);

// kDataLoss when the trailer does not match the content.
Status CheckTrailer(const SnapshotFile& file);

}  // namespace ketcd::snapshot
