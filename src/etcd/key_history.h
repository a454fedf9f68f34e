// The revisions of one key that etcd still holds, newest first: each step
// reads the key at the revision just before its last change, back to its
// creation, a deletion, the compaction point, or a limit.
#pragma once

#include <string>
#include <vector>

#include "etcd/range_reader.h"

namespace ketcd::etcd {

struct KeyHistory {
  std::vector<mvccpb::KeyValue> versions;  // newest first
  std::string stopped_at;  // "its creation", "a deletion", "the compaction point", "the limit"
};

// kNotFound when the key does not exist now.
Result<KeyHistory> ReadKeyHistory(RangeReader& reader, const std::string& key, size_t max_versions);

}  // namespace ketcd::etcd
