// defrag --data-dir: a stopped member's db rewritten compact, offline, as
// `etcdutl defrag --data-dir` does (etcd 3.4's `etcdctl defrag --data-dir`):
// every bucket, key and value copied in order into a new file by ketcd's
// bbolt writer (restore/backend_copy.h: pages filled, no free pages), then
// renamed over the old one. The keyspace, its history and every other
// bucket stay as they were (etcd's KV hash is unchanged); only the file
// shrinks by its free pages.
//
// The db's file lock is taken for the whole run: a dir a running etcd
// holds is refused, and no etcd can start on it meanwhile. The new file is
// fsynced before it replaces the old one (and the directory after), so a
// crash leaves the old db or the new one, never a mix; a copy left by an
// interrupted run is removed on the next.
#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace ketcd::datadir {

struct DefragResult {
  std::string db_path;
  int64_t bytes_before = 0, bytes_after = 0;
};

Result<DefragResult> DefragDataDir(const std::string& data_dir);

}  // namespace ketcd::datadir
