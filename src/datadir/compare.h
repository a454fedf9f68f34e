// datadir compare: do two members' keyspaces (data dirs or snapshot files,
// read offline) agree at a revision both hold? etcd's KV hash at that
// revision on each side (snapshot/offline_keyspace.h's HashKv, as the
// HashKV RPC compares members), and when the hashes differ, the keys whose
// values differ there.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "snapshot/keyspace_diff.h"

namespace ketcd::datadir {

struct Comparison {
  int64_t revision = 0;  // compared at
  uint32_t hash_a = 0, hash_b = 0;
  size_t differing_keys = 0;
  bool agree() const { return hash_a == hash_b && differing_keys == 0; }
};

// `a` and `b`: a data dir (holding member/) or a db/snapshot file.
// `revision` 0: the newest both hold. kInvalidArgument when one side lacks
// it (compacted away, or not reached). `on_difference` sees each key
// differing at that revision (only walked when the hashes differ).
Result<Comparison> CompareKeyspaces(const std::string& a, const std::string& b, int64_t revision,
                                    const std::function<Status(const snapshot::KeyDifference&)>& on_difference);

}  // namespace ketcd::datadir
