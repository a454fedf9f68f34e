#include "backup/watch_revisions.h"

#include <algorithm>

namespace ketcd::backup {

void WatchRevisions::Take(const etcd::pb::WatchResponse& response, int64_t now_millis,
                          std::vector<DeltaRevision>& out) {
  if (ended()) return;
  if (response.compact_revision() != 0) {
    chain_end_ = "compacted";
    return;
  }
  if (cluster_id_ == 0) cluster_id_ = response.header().cluster_id();
  if (response.header().cluster_id() != 0 && response.header().cluster_id() != cluster_id_) {
    chain_end_ = "cluster-changed";
    return;
  }
  // Events first: a cancelling response may still carry some.
  const int64_t millis = std::max(now_millis, last_millis_);
  const size_t first_new = out.size();
  for (const mvccpb::Event& event : response.events()) {
    const int64_t revision = event.kv().mod_revision();
    // A revision continues only within its response (etcd does not split one).
    if (out.size() > first_new && out.back().revision == revision) {
      out.back().events.push_back(event);
      continue;
    }
    if (revision <= last_revision_) {
      chain_end_ = "revision-gap";
      return;
    }
    out.push_back({revision, millis, {event}});
    last_revision_ = revision;
    last_millis_ = millis;
  }
  if (response.canceled()) chain_end_ = "cancelled";
}

}  // namespace ketcd::backup
