// `ketcd cluster upgrade-check` against real clusters: a clean 3.5 cluster
// passes for 3.6 and is blocked for 3.7; a real rolling upgrade 3.5 -> 3.6
// -> 3.7 with the check before each step keeps every key; a stopped
// member's data dir carrying a zombie member (in one membership store and
// not the other) blocks 3.6 and names it.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "bolt/database.h"
#include "restore/backend_copy.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/peers.h"
#include "support/test_files.h"
#include "util/hex_id.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class UpgradeCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KETCD_SKIP_UNLESS(MissingExecutable(KETCD_ETCD_35, "etcd 3.5 (scripts/install-deps)"));
    auto cluster = EtcdCluster::Start({.members = 3, .binary = KETCD_ETCD_35});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    std::vector<std::pair<std::string, std::string>> keys;
    for (int i = 0; i < 200; ++i) keys.emplace_back("/registry/k/" + std::to_string(i), "v");
    ASSERT_TRUE(cluster_->Put(keys).ok());
  }

  CommandResult Check(const std::vector<std::string>& args) {
    return RunKetcd(Args(Args(cluster_->ConnectionFlags(), {"cluster", "upgrade-check"}), args));
  }

  // Waits until every member reports `storage` (the cluster version moved).
  void WaitForStorageVersion(const std::string& storage) {
    Status written = cluster_->WaitForStorageVersion(storage);
    ASSERT_TRUE(written.ok()) << written.message();
  }

  std::unique_ptr<EtcdCluster> cluster_;
};

TEST_F(UpgradeCheckTest, RollingUpgradeFrom35To36To37WithTheCheckBeforeEachStep) {
  KETCD_SKIP_UNLESS(MissingPeer("etcd-3.6", "etcd"));
  KETCD_SKIP_UNLESS(MissingPeer("etcd-3.7", "etcd"));
  auto to_37_early = Check({"--to", "3.7"});
  EXPECT_EQ(to_37_early.exit_code, 1) << Describe(to_37_early);
  EXPECT_TRUE(Contains(to_37_early.out, "to 3.6 first")) << to_37_early.out;
  int written = 0;
  auto write = [&](int count) {
    std::vector<std::pair<std::string, std::string>> keys;
    for (int i = 0; i < count; ++i) keys.emplace_back("/registry/written/" + std::to_string(written++), "v");
    ASSERT_TRUE(cluster_->Put(keys).ok());
  };

  // 3.5 -> 3.6, one member at a time.
  auto to_36 = Check({"--to", "3.6", "-w", "json"});
  ASSERT_EQ(to_36.exit_code, 0) << Describe(to_36);
  EXPECT_EQ(json::parse(to_36.out)["ready"], true) << to_36.out;
  EXPECT_TRUE(Contains(to_36.out, "\"message\":\"cluster version 3.5.0\"")) << to_36.out;
  for (int i = 0; i < 3; ++i) {
    Status upgraded = cluster_->UpgradeMember(i, PeerBinary("etcd-3.6", "etcd"));
    ASSERT_TRUE(upgraded.ok()) << "3.6 member " << i << ": " << upgraded.message();
    ASSERT_NO_FATAL_FAILURE(write(1));
  }
  ASSERT_NO_FATAL_FAILURE(WaitForStorageVersion("3.6.0"));

  // 3.6 -> 3.7: the WAL still holds 3.5's v2 requests, which 3.7 cannot
  // replay, until 3.6 has taken a raft snapshot (every 10000 entries by
  // default): one restart with a low --snapshot-count and some writes.
  cluster_->StopMember(0);
  auto wal_blocks = Check({"--to", "3.7", "--data-dir", cluster_->DataDir(0)});
  EXPECT_EQ(wal_blocks.exit_code, 1) << Describe(wal_blocks);
  EXPECT_TRUE(Contains(wal_blocks.out, "cannot replay them")) << wal_blocks.out;
  for (int i = 0; i < 3; ++i) {
    Status restarted = cluster_->UpgradeMember(i, PeerBinary("etcd-3.6", "etcd"), {"--snapshot-count=50"});
    ASSERT_TRUE(restarted.ok()) << "3.6 member " << i << ": " << restarted.message();
  }
  ASSERT_NO_FATAL_FAILURE(write(120));
  auto to_37 = Check({"--to", "3.7"});
  ASSERT_EQ(to_37.exit_code, 0) << Describe(to_37);
  EXPECT_TRUE(Contains(to_37.out, "cluster version 3.6.0")) << to_37.out;
  for (int i = 0; i < 3; ++i) {
    cluster_->StopMember(i);
    auto offline = Check({"--to", "3.7", "--data-dir", cluster_->DataDir(i)});
    EXPECT_EQ(offline.exit_code, 0) << Describe(offline);
    Status upgraded = cluster_->UpgradeMember(i, PeerBinary("etcd-3.7", "etcd"));
    ASSERT_TRUE(upgraded.ok()) << "3.7 member " << i << ": " << upgraded.message();
    ASSERT_NO_FATAL_FAILURE(write(1));
  }
  ASSERT_NO_FATAL_FAILURE(WaitForStorageVersion("3.7.0"));

  auto count = RunKetcd(Args(cluster_->ConnectionFlags(),
                             {"get", "/registry/", "--prefix", "--count-only", "-w", "json"}));
  ASSERT_EQ(count.exit_code, 0) << Describe(count);
  EXPECT_EQ(json::parse(count.out)["count"], 200 + written);
}

// Rewrites the stopped member's db with `edits` (restore's backend copy).
void EditBackend(const std::string& data_dir, const restore::BackendEdits& edits) {
  const std::string db = data_dir + "/member/snap/db";
  {
    auto source = bolt::Database::Open(db);
    ASSERT_TRUE(source.ok()) << source.status().message();
    ASSERT_TRUE(restore::CopyBackend(*source, db + ".edited", edits).ok());
  }
  fs::rename(db + ".edited", db);
}

TEST_F(UpgradeCheckTest, ZombieMemberInAStoppedMembersDataDirBlocks36) {
  cluster_->StopMember(2);
  const std::string clean = cluster_->dir() + "/clean", zombie = cluster_->dir() + "/zombie",
                    missing = cluster_->dir() + "/missing";
  for (const std::string& copy : {clean, zombie, missing}) {
    fs::copy(cluster_->DataDir(2), copy, fs::copy_options::recursive);
  }
  auto passes = Check({"--to", "3.6", "--data-dir", clean});
  EXPECT_EQ(passes.exit_code, 0) << Describe(passes);
  EXPECT_TRUE(Contains(passes.out, "3 members, the same in both stores")) << passes.out;

  // A member only in the backend's bucket, as etcd issue 19557 leaves one.
  const uint64_t ghost = 0x1234abcd5678ef;
  restore::BackendEdits add;
  add.merged["members"][HexId(ghost)] =
      "{\"id\":" + std::to_string(ghost) + ",\"peerURLs\":[\"http://10.0.0.9:2380\"],\"name\":\"ghost\"}";
  ASSERT_NO_FATAL_FAILURE(EditBackend(zombie, add));
  auto blocked = Check({"--to", "3.6", "--data-dir", zombie});
  EXPECT_EQ(blocked.exit_code, 1) << Describe(blocked);
  EXPECT_TRUE(Contains(blocked.out, "BLOCKER  " + zombie + ": member ghost (" + HexId(ghost) + ")"))
      << blocked.out;
  EXPECT_TRUE(Contains(blocked.out, "zombie")) << blocked.out;

  // The reverse: a member raft knows that the bucket lost.
  auto members = RunKetcd(Args(cluster_->ConnectionFlags(), {"member", "list", "-w", "json"}));
  ASSERT_EQ(members.exit_code, 0) << Describe(members);
  std::string m0;
  const json listed = json::parse(members.out);
  for (const auto& member : listed["members"]) {
    if (member["name"] == "m0") m0 = HexId(member["ID"].get<uint64_t>());
  }
  restore::BackendEdits drop;
  drop.removed["members"].insert(m0);
  ASSERT_NO_FATAL_FAILURE(EditBackend(missing, drop));
  auto lost = Check({"--to", "3.6", "--data-dir", missing, "-w", "json"});
  EXPECT_EQ(lost.exit_code, 1) << Describe(lost);
  const json report = json::parse(lost.out);
  EXPECT_EQ(report["ready"], false);
  bool named = false;
  for (const auto& finding : report["findings"]) {
    named = named || (finding["blocking"] == true && finding["check"] == "membership" &&
                      Contains(finding["message"].get<std::string>(), "m0 (" + m0 + ")"));
  }
  EXPECT_TRUE(named) << lost.out;
}

}  // namespace
}  // namespace ketcd::testing
