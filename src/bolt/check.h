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

struct CheckOptions {
  // Called for each key in key order, depth 0 being the root bucket (the
  // names of top-level buckets); a nested bucket's entries follow its own
  // entry. Values of bucket entries are empty. Returning an error stops.
  std::function<Status(int depth, std::string_view key, std::string_view value, bool is_bucket)>
      visit;
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
