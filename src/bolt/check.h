// A full structural check of a bbolt database, in one pass that can also
// visit every key and value in order (so `snapshot status` hashes what it
// checks without reading the file twice). It covers what bbolt's Tx.Check
// covers (every page below the high-water mark reachable or free exactly
// once, page types, bounds) and key order within and across pages.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bolt/database.h"

namespace ketcd::bolt {

struct Visit {
  int segment;              // see CheckOptions::parallel
  std::string_view bucket;  // the top-level bucket holding the entry ("" at depth 0)
  int depth;                // 0: the root bucket (top-level bucket names)
  std::string_view key;
  std::string_view value;  // empty for bucket entries
  bool is_bucket;
};

struct CheckOptions {
  // Called for each key in key order; a nested bucket's entries follow its
  // own entry. Returning an error stops the walk.
  std::function<Status(const Visit&)> visit;
  // Walks the first top-level bucket whose root is a branch page (etcd's
  // "key") with two threads, half of its children each, since a
  // whole-file scan is bound by memory and page faults. Visits then come
  // from both threads at once, as segments: 0 (up to the middle of that
  // bucket), 1 (its second half, another thread) and 2 (what follows).
  // Joined in segment order, they are in key order. Without it, or without
  // such a bucket, every visit is in segment 0.
  bool parallel = false;
  size_t max_problems = 50;  // stop collecting (not checking) beyond this
};

struct CheckReport {
  std::vector<std::string> problems;  // empty: the structure is sound
  uint64_t pages_reachable = 0;
  uint64_t pages_free = 0;
};

// Problems found go into the report; a Status error means the walk could
// not go on (or `visit` failed).
Result<CheckReport> CheckDatabase(const Database& db, const CheckOptions& options = {});

}  // namespace ketcd::bolt
