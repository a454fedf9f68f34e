// snapshot status: the figures etcdctl/etcdutl print for a snapshot (hash,
// revision, total keys, total size, and from 3.6 the storage version),
// computed as etcd's v3 snapshot manager computes them, after the same
// integrity check, plus what the file says about the cluster.
//
// etcdutl changed what "total keys" means in 3.6 (etcdutl/snapshot
// v3_snapshot.go Status): 3.5 counts the entries of every bucket, 3.6 and
// 3.7 count the keys alive at the snapshot's revision (puts minus deletes
// in the "key" bucket): CountLiveKeys, a pass of its own, run only by a
// caller that prints 3.6's figures (backups and 3.5's figures skip it).
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
  int64_t total_keys = 0;  // etcdutl 3.5 (and etcdctl 3.4/3.5)
  int64_t total_size = 0;
  // meta "storageVersion" as etcdutl 3.6+ prints it ("3.6.0"); empty when the
  // file has none (written before 3.6) or it is not a version.
  std::string storage_version;
  // From the meta, cluster and members buckets, when present.
  std::optional<uint64_t> consistent_index;
  std::optional<uint64_t> term;
  std::optional<int64_t> compacted_revision;
  std::string cluster_version;
  int64_t members = 0;
};

// kDataLoss (naming every problem found) when the structure is not sound.
Result<SnapshotStatus> ComputeStatus(const bolt::Database& db);

// etcdutl 3.6+'s total keys: the "key" bucket replayed in revision order, a
// put adding its key, a tombstone removing it. Memory: 16 bytes per live key
// (two independent 64-bit hashes, not the keys). kDataLoss when a value is
// not an mvccpb.KeyValue (etcdutl 3.6 refuses such a file too).
Result<int64_t> CountLiveKeys(const bolt::Database& db);

// Which etcdutl's figures `snapshot status` prints.
enum class EtcdutlCompat { kAuto, k35, k36 };
// kAuto: 3.6 when the file has a storage version (written by 3.6+), else 3.5.
bool UsesEtcdutl36(const SnapshotStatus& status, EtcdutlCompat compat);

// The status as that etcdutl prints it: with 3.6's figures (`etcdutl_36`),
// total_keys is CountLiveKeys'.
struct EtcdutlStatus {
  SnapshotStatus status;
  bool etcdutl_36 = false;
};
Result<EtcdutlStatus> ComputeEtcdutlStatus(const bolt::Database& db, EtcdutlCompat compat);

}  // namespace ketcd::snapshot
