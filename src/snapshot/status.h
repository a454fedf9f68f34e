// snapshot status: the figures etcdctl prints for a snapshot (hash,
// revision, total keys, total size), computed as etcd's v3 snapshot manager
// computes them, after the same integrity check, plus what the file says
// about the cluster.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bolt/database.h"

namespace ketcd::snapshot {

struct SnapshotStatus {
  // etcdctl's figures: CRC-32C over each bucket name followed by its keys
  // and values in order; the main revision of the last key of "key"; the
  // number of keys in all buckets; the bytes up to bbolt's high-water mark.
  uint32_t hash = 0;
  int64_t revision = 0;
  int64_t total_keys = 0;
  int64_t total_size = 0;
  // From the meta, cluster and members buckets, when present.
  std::optional<uint64_t> consistent_index;
  std::optional<uint64_t> term;
  std::optional<int64_t> compacted_revision;
  std::string cluster_version;
  int64_t members = 0;
};

// kDataLoss (naming every problem found) when the structure is not sound.
Result<SnapshotStatus> ComputeStatus(const bolt::Database& db);

}  // namespace ketcd::snapshot
