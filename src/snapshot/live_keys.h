// What ls and stats read of a file: each key live at its newest revision,
// with the size of its value, and every revision a compaction would free,
// from one walk of the "key" bucket. No index: the bucket is ordered by
// revision, so each thread's stretch keeps one entry per distinct key (the
// newest it has seen) in a hash table, and the two stretches are matched
// by key at the end. Nothing is sorted and no value is read past its key
// and size.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "bolt/database.h"
#include "snapshot/key_scope.h"
#include "util/status.h"

namespace ketcd::snapshot {

struct LiveKey {
  std::string_view key;
  int64_t value_bytes;  // 0 for a deletion
};

// Calls `on_key` for each key in `scope` live at the file's newest
// revision, and `on_old` (when given) for every other revision of a key in
// `scope`: older revisions and deletions. In no particular order; on this
// thread.
Status ForEachLiveKey(const bolt::Database& db, const KeyScope& scope,
                      const std::function<void(const LiveKey&)>& on_key,
                      const std::function<void(const LiveKey&)>& on_old = nullptr);

}  // namespace ketcd::snapshot
