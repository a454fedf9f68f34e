// The backend database of a restored member: every bucket and key of the
// snapshot copied into a new, compact bbolt file (bolt::Writer), with the
// meta entries a restore must set (etcd 3.4's restore sets
// "consistent_index" to the number of members, the raft index of the last
// membership entry it writes to the WAL; 3.5 also records "term").
#pragma once

#include <map>
#include <string>

#include "bolt/database.h"

namespace ketcd::restore {

struct BackendEdits {
  // Values to put in the "meta" bucket, replacing what the snapshot has.
  std::map<std::string, std::string> meta;
};

// Writes `path` (which must not exist).
Status CopyBackend(const bolt::Database& source, const std::string& path,
                   const BackendEdits& edits);

// The 8-byte big-endian encoding etcd uses for consistent_index and term.
std::string BigEndian64(uint64_t value);

}  // namespace ketcd::restore
