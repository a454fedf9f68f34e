// snapshot verify: everything that can be checked without etcd: the SHA-256
// trailer, the bbolt structure, and every revision in the "key" bucket
// (its value parses as mvccpb.KeyValue whose revision matches its key).
#pragma once

#include <string>
#include <vector>

#include "snapshot/snapshot_file.h"

namespace ketcd::snapshot {

struct VerifyReport {
  enum class Trailer { kAbsent, kMatches, kMismatch };
  Trailer trailer = Trailer::kAbsent;
  std::vector<std::string> problems;  // empty: the file is sound
  int64_t revisions = 0;              // entries of the "key" bucket checked
  int64_t tombstones = 0;
  int64_t last_revision = 0;
  uint64_t pages_reachable = 0;
  uint64_t pages_free = 0;
};

// `check_trailer` false: the trailer is left to the caller (CheckTrailer),
// e.g. to hash it on another thread meanwhile.
Result<VerifyReport> Verify(const SnapshotFile& file, size_t max_problems = 50,
                            bool check_trailer = true);

}  // namespace ketcd::snapshot
