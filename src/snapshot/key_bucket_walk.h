// The "key" bucket of an etcd backend, every revision it holds, read on two
// threads: the bucket is ordered by revision, not by key, so whoever needs
// a key's revisions (the offline index, ls and stats) must read all of it.
#pragma once

#include <functional>
#include <string_view>

#include "bolt/database.h"
#include "snapshot/backend_layout.h"
#include "util/status.h"

namespace ketcd::snapshot {

// One stored revision: its revision key, the user key and the whole
// stored mvccpb.KeyValue (views into the mapped file).
struct StoredRevision {
  RevisionKey revision;
  std::string_view key;
  std::string_view stored;
};

// Calls `visit(stretch, revision)` for every revision of `bucket`, split
// in two stretches of about equal size (at the middle child of the
// bucket's root page; the tree is balanced): stretch 0 on this thread,
// stretch 1 on another, each in revision order, every revision of stretch
// 0 older than those of stretch 1. A small bucket is one stretch (0).
// Returns the first error: a malformed revision key or stored value, a
// damaged page, or what `visit` returned.
Status WalkKeyBucket(const bolt::Database& db, const bolt::BucketRef& bucket,
                     const std::function<Status(int stretch, const StoredRevision&)>& visit);

// The size of the value (field 5) of a stored mvccpb.KeyValue, read from
// its wire bytes; 0 when it has none (a tombstone) or they do not scan
// (reading the value then reports the damage).
uint32_t StoredValueSize(std::string_view stored);

}  // namespace ketcd::snapshot
