// defrag --data-dir on a stopped member of each etcd version: a db with
// most of its keys deleted and compacted away shrinks as much as that
// version's own offline defrag makes it shrink, etcd starts on it, and
// its KV hash is unchanged; a running member's dir is refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

TEST(DefragDataDirTest, ShrinksLikeEtcdsOwnAndKeepsTheKeyspace) {
  const std::string tool = EtcdSnapshotTool();
  if (tool.empty()) GTEST_SKIP() << "no etcdutl/etcdctl beside the etcd under test";
  auto started = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EtcdCluster& cluster = **started;
  auto client = etcd::EtcdClient::Create(cluster.ClientConfig());
  ASSERT_TRUE(client.ok());
  std::vector<std::pair<std::string, std::string>> keys;
  for (int i = 0; i < 3000; ++i) {
    keys.push_back({"/registry/configmaps/" + std::string(i % 3 == 0 ? "kept" : "gone") + "/cm" + std::to_string(i),
                    std::string(2000, static_cast<char>('a' + i % 26))});
  }
  ASSERT_TRUE(cluster.Put(keys).ok());
  etcd::pb::DeleteRangeRequest del;
  del.set_key("/registry/configmaps/gone/");
  del.set_range_end("/registry/configmaps/gone0");
  auto deleted = (*client)->DeleteRange(del);
  ASSERT_TRUE(deleted.ok());
  etcd::pb::CompactionRequest compact;
  compact.set_revision(deleted->header().revision());
  compact.set_physical(true);
  ASSERT_TRUE((*client)->Compact(compact).ok());
  // One revision past the compacted one: etcd 3.4 hashes none at it.
  ASSERT_TRUE(cluster.Put({{"/registry/configmaps/kept/last", "after the compaction"}}).ok());
  auto before = (*client)->HashKV(0, 0);
  ASSERT_TRUE(before.ok()) << before.status().message();

  const std::string dir = cluster.DataDir(0);
  auto running = RunKetcd({"defrag", "--data-dir", dir});
  EXPECT_EQ(running.exit_code, 2) << Describe(running);
  EXPECT_NE(running.err.find("a running etcd holds it"), std::string::npos) << running.err;

  cluster.StopMember(0);
  const std::string theirs = cluster.dir() + "/theirs.etcd";
  fs::copy(dir, theirs, fs::copy_options::recursive);
  const auto size_before = fs::file_size(dir + "/member/snap/db");
  auto ours = RunKetcd({"defrag", "--data-dir", dir});
  ASSERT_EQ(ours.exit_code, 0) << Describe(ours);
  EXPECT_NE(ours.out.find("Defragmented " + dir + "/member/snap/db"), std::string::npos) << ours.out;
  auto reference = RunEtcdTool(tool, {"defrag", "--data-dir", theirs});
  ASSERT_EQ(reference.exit_code, 0) << Describe(reference);
  const auto size_ours = fs::file_size(dir + "/member/snap/db");
  const auto size_theirs = fs::file_size(theirs + "/member/snap/db");
  EXPECT_LT(size_ours, size_before / 2) << size_before << " -> " << size_ours;
  EXPECT_LE(size_ours, size_theirs + size_theirs / 20) << "ours " << size_ours << ", theirs " << size_theirs;
  EXPECT_FALSE(fs::exists(dir + "/member/snap/db.ketcd-defrag"));

  ASSERT_TRUE(cluster.RestartMember(0).ok()) << cluster.LogTails();
  auto restarted = etcd::EtcdClient::Create(cluster.ClientConfig());
  ASSERT_TRUE(restarted.ok());
  auto after = (*restarted)->HashKV(0, before->header().revision());
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->hash(), before->hash());
  EXPECT_EQ(after->compact_revision(), before->compact_revision());
  etcd::pb::RangeRequest kept;
  kept.set_key("/registry/configmaps/kept/");
  kept.set_range_end("/registry/configmaps/kept0");
  kept.set_count_only(true);
  auto counted = (*restarted)->Range(kept);
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(counted->count(), 1001);
}

}  // namespace
}  // namespace ketcd::testing
