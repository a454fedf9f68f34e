// Two keyspaces (snapshots or data dirs read offline, or live clusters)
// compared key by key: what `snapshot diff` prints. Both are walked in key
// order a page at a time, so memory does not grow with their size.
#pragma once

#include <functional>
#include <string>

#include "etcd/range_reader.h"

namespace ketcd::snapshot {

// A keyspace as it was at one revision: every Range asks for it.
class AtRevision : public etcd::RangeReader {
 public:
  AtRevision(etcd::RangeReader& reader, int64_t revision) : reader_(reader), revision_(revision) {}
  Result<etcd::pb::RangeResponse> Range(const etcd::pb::RangeRequest& request) override {
    etcd::pb::RangeRequest at = request;
    at.set_revision(revision_);
    return reader_.Range(at);
  }

 private:
  etcd::RangeReader& reader_;
  int64_t revision_;
};

struct KeyDifference {
  enum class Kind { kRemoved, kAdded, kChanged };
  Kind kind;
  const mvccpb::KeyValue* before;  // null when added
  const mvccpb::KeyValue* after;   // null when removed
};

// Tells `on_difference`, in key order, each key under `prefix` ("": every
// key) live in only one of the two, or in both with different values. An
// error from `on_difference` stops the walk and is returned.
Status DiffKeyspaces(etcd::RangeReader& before, etcd::RangeReader& after, const std::string& prefix,
                     const std::function<Status(const KeyDifference&)>& on_difference);

}  // namespace ketcd::snapshot
