// The backend database of a restored member: every bucket and key of the
// snapshot copied into a new, compact bbolt file (bolt::Writer), with the
// edits a restore makes: meta entries (etcd sets "consistent_index" to the
// raft index of the last membership entry it writes to the WAL) and the
// membership buckets replaced by the new cluster's members.
#pragma once

#include <map>
#include <functional>
#include <set>
#include <string>

#include "bolt/database.h"
#include "bolt/writer.h"

namespace ketcd::restore {

using Entries = std::map<std::string, std::string>;

struct BackendEdits {
  // Entries put into a bucket (created if absent), replacing equal keys.
  std::map<std::string, Entries> merged;
  // Buckets whose whole content becomes these entries (created if absent).
  std::map<std::string, Entries> replaced;
  // Keys of the source left out of a (merged or copied) bucket.
  std::map<std::string, std::set<std::string, std::less<>>> removed;
  // Entries written after a bucket's others by a callback, in ascending
  // order above every key the bucket holds (a point-in-time restore's
  // revisions). Buckets are written in name order, so a callback may still
  // fill a later bucket's `merged` entries (present in the map beforehand).
  std::map<std::string, std::function<Status(bolt::Writer&)>> appended;
};

// Writes `path` (which must not exist).
Status CopyBackend(const bolt::Database& source, const std::string& path,
                   const BackendEdits& edits);

// The 8-byte big-endian encoding etcd uses for consistent_index and term.
std::string BigEndian64(uint64_t value);

}  // namespace ketcd::restore
