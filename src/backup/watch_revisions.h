// What a delta recorder keeps of a watch: its responses turned into whole
// revisions (backup/delta_segment.h), and the moment the watch can no
// longer continue a chain without a gap.
//
// etcd sends every event of one revision in the same response (a watch
// created without `fragment`), in the order the transaction made them, and
// revisions in increasing order; each response's revisions are complete.
// The chain ends, with a word for the manifest's chainEnd, when:
//   "compacted"        the watch's start was compacted away (events lost),
//   "cancelled"        etcd cancelled the watch,
//   "cluster-changed"  a response comes from another cluster ID (etcd was
//                      restored or replaced under the daemon),
//   "revision-gap"     a revision at or below one already taken (etcd's
//                      history went back: restored from a snapshot).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backup/delta_segment.h"
#include "etcd/range_reader.h"

namespace ketcd::backup {

class WatchRevisions {
 public:
  // Continues a chain whose last revision is `after_revision`, of the
  // cluster `cluster_id` (0: the first response's).
  WatchRevisions(int64_t after_revision, uint64_t cluster_id)
      : last_revision_(after_revision), cluster_id_(cluster_id) {}

  // Appends the revisions `response` completes to `out`, each stamped with
  // `now_millis` (never before the previous one's). After the chain ended
  // (ended() true) nothing more is taken.
  void Take(const etcd::pb::WatchResponse& response, int64_t now_millis, std::vector<DeltaRevision>& out);

  bool ended() const { return !chain_end_.empty(); }
  const std::string& chain_end() const { return chain_end_; }
  // The newest revision taken (the start of a watch that continues it: +1).
  int64_t last_revision() const { return last_revision_; }

 private:
  int64_t last_revision_;
  uint64_t cluster_id_;
  int64_t last_millis_ = 0;
  std::string chain_end_;
};

}  // namespace ketcd::backup
