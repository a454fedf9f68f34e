// A delta recorder's view of a watch: whole revisions in order, and the
// chain ended (never a silent gap) when the watch cannot continue it.
#include "backup/watch_revisions.h"

#include <gtest/gtest.h>

namespace ketcd::backup {
namespace {

constexpr uint64_t kCluster = 0xcdf818194e3a8c32;

mvccpb::Event Put(const std::string& key, int64_t revision) {
  mvccpb::Event event;
  event.set_type(mvccpb::Event::PUT);
  event.mutable_kv()->set_key(key);
  event.mutable_kv()->set_create_revision(revision);
  event.mutable_kv()->set_mod_revision(revision);
  event.mutable_kv()->set_version(1);
  return event;
}

etcd::pb::WatchResponse Response(std::vector<mvccpb::Event> events, uint64_t cluster = kCluster) {
  etcd::pb::WatchResponse response;
  response.mutable_header()->set_cluster_id(cluster);
  for (auto& event : events) *response.add_events() = std::move(event);
  return response;
}

TEST(WatchRevisionsTest, GroupsEachRevisionsEventsInTheirOrder) {
  WatchRevisions watch(10, kCluster);
  std::vector<DeltaRevision> out;
  watch.Take(Response({Put("a", 11), Put("b", 12), Put("c", 12), Put("d", 12), Put("e", 14)}), 5000, out);
  watch.Take(Response({Put("f", 15)}), 4000, out);  // the clock stepped back
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].revision, 11);
  ASSERT_EQ(out[1].events.size(), 3u);
  EXPECT_EQ(out[1].events[0].kv().key(), "b");
  EXPECT_EQ(out[1].events[2].kv().key(), "d");
  EXPECT_EQ(out[2].revision, 14);
  EXPECT_EQ(out[3].revision, 15);
  EXPECT_EQ(out[3].unix_millis, 5000);  // never before the previous revision's
  EXPECT_EQ(watch.last_revision(), 15);
  EXPECT_FALSE(watch.ended());
  // What it produced is what a segment accepts.
  StringSink sink;
  DeltaSegmentWriter writer(sink);
  for (const auto& revision : out) EXPECT_TRUE(writer.Add(revision).ok());
}

TEST(WatchRevisionsTest, EveryWayTheWatchCanLoseEventsEndsTheChain) {
  {
    WatchRevisions watch(10, kCluster);
    std::vector<DeltaRevision> out;
    etcd::pb::WatchResponse compacted = Response({});
    compacted.set_compact_revision(20);
    watch.Take(compacted, 1, out);
    EXPECT_EQ(watch.chain_end(), "compacted");
    watch.Take(Response({Put("a", 21)}), 2, out);  // nothing after the end
    EXPECT_TRUE(out.empty());
  }
  {
    WatchRevisions watch(10, kCluster);
    std::vector<DeltaRevision> out;
    etcd::pb::WatchResponse cancelled = Response({Put("a", 11)});
    cancelled.set_canceled(true);
    watch.Take(cancelled, 1, out);
    EXPECT_EQ(watch.chain_end(), "cancelled");
    EXPECT_EQ(out.size(), 1u);  // what came with it is kept
  }
  {
    WatchRevisions watch(10, kCluster);
    std::vector<DeltaRevision> out;
    watch.Take(Response({Put("a", 11)}, 0x1234), 1, out);
    EXPECT_EQ(watch.chain_end(), "cluster-changed");
    EXPECT_TRUE(out.empty());
  }
  {
    WatchRevisions watch(10, kCluster);
    std::vector<DeltaRevision> out;
    watch.Take(Response({Put("a", 12)}), 1, out);
    watch.Take(Response({Put("b", 12)}), 2, out);  // history went back under the watch
    EXPECT_EQ(watch.chain_end(), "revision-gap");
    EXPECT_EQ(out.size(), 1u);
    EXPECT_EQ(watch.last_revision(), 12);
  }
}

}  // namespace
}  // namespace ketcd::backup
