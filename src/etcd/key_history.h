// The revisions of one key that etcd still holds, newest first: each step
// reads the key at the revision just before its last change, back to its
// creation, a deletion, the compaction point, or a limit.
#pragma once

#include <string>
#include <vector>

#include "etcd/range_reader.h"

namespace ketcd::etcd {

struct KeyHistory {
  // What the walk stopped at.
  enum class Stop { kCreation, kDeletion, kCompaction, kLimit };
  std::vector<mvccpb::KeyValue> versions;  // newest first
  Stop stopped_at = Stop::kCreation;
};

// kNotFound when the key does not exist now.
Result<KeyHistory> ReadKeyHistory(RangeReader& reader, const std::string& key, size_t max_versions);

}  // namespace ketcd::etcd
