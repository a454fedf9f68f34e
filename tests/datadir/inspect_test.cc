// datadir inspect on a real 3-member cluster after a quorum loss: two
// members' dirs copied (each member paused for the copy) at different
// moments, then those members killed; the survivor, stopped, is the one to
// recover from, and the report says why. A dir of another cluster among
// them is refused; a running member's dir is flagged.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void Write(EtcdCluster& cluster, int from, int count) {
  for (int i = from; i < from + count; ++i) {
    ASSERT_TRUE(cluster.Put({{"/registry/configmaps/default/cm" + std::to_string(i), std::string(200, 'v')}}).ok());
  }
}

std::string CopyPaused(EtcdCluster& cluster, int member, const std::string& to) {
  EXPECT_TRUE(cluster.CopyDataDirPaused(member, to).ok());
  return to;
}

TEST(DataDirInspectTest, PicksTheSurvivorAfterAQuorumLossAndSaysWhy) {
  auto started = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EtcdCluster& cluster = **started;
  ASSERT_NO_FATAL_FAILURE(Write(cluster, 0, 40));
  const std::string early = CopyPaused(cluster, 1, cluster.dir() + "/early.etcd");
  ASSERT_NO_FATAL_FAILURE(Write(cluster, 40, 40));
  const std::string later = CopyPaused(cluster, 2, cluster.dir() + "/later.etcd");
  ASSERT_NO_FATAL_FAILURE(Write(cluster, 80, 40));

  // A running member's dir is read, and flagged.
  auto running = RunKetcd({"datadir", "inspect", cluster.DataDir(0), "-w", "json"});
  ASSERT_EQ(running.exit_code, 0) << Describe(running);
  EXPECT_TRUE(json::parse(running.out)["dataDirs"][0]["inUse"].get<bool>()) << running.out;

  cluster.KillMember(1);
  cluster.KillMember(2);
  cluster.StopMember(0);
  const std::string survivor = cluster.DataDir(0);
  auto inspected = RunKetcd({"datadir", "inspect", early, later, survivor, "-w", "json"});
  ASSERT_EQ(inspected.exit_code, 0) << Describe(inspected);
  const json document = json::parse(inspected.out);
  EXPECT_EQ(document["recommended"]["dir"], survivor) << inspected.out;
  EXPECT_NE(document["recommended"]["why"].get<std::string>().find("committed entries up to index"), std::string::npos);
  const json& dirs = document["dataDirs"];
  ASSERT_EQ(dirs.size(), 3u);
  EXPECT_LT(dirs[0]["commitIndex"].get<uint64_t>(), dirs[1]["commitIndex"].get<uint64_t>()) << inspected.out;
  EXPECT_LT(dirs[1]["commitIndex"].get<uint64_t>(), dirs[2]["commitIndex"].get<uint64_t>()) << inspected.out;
  for (const json& dir : dirs) {
    EXPECT_EQ(dir["clusterID"], dirs[0]["clusterID"]);
    EXPECT_FALSE(dir["inUse"].get<bool>());
    EXPECT_TRUE(dir["usable"].get<bool>()) << dir.dump();
    EXPECT_EQ(dir["membershipBackend"].size(), 3u) << dir.dump();
    // Applied entries are in the log (the hard state's commit index can lag
    // the applied one by the last entries: it is saved with the next ones).
    EXPECT_GT(dir["consistentIndex"].get<uint64_t>(), 0u) << dir.dump();
    EXPECT_LE(dir["consistentIndex"].get<uint64_t>(), dir["lastIndex"].get<uint64_t>()) << dir.dump();
    EXPECT_TRUE(dir.contains("hashKV"));
  }
  EXPECT_EQ(dirs[2]["memberName"], cluster.Name(0));
  EXPECT_GT(dirs[2]["revision"].get<int64_t>(), dirs[0]["revision"].get<int64_t>());

  // The table says the same in words.
  auto table = RunKetcd({"datadir", "inspect", early, survivor});
  ASSERT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_NE(table.out.find("Recommended: " + survivor), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("commit index"), std::string::npos) << table.out;

  // The copies and the survivor agree at the copy's revision, not beyond.
  const int64_t early_revision = dirs[0]["revision"].get<int64_t>();
  auto agree = RunKetcd({"datadir", "compare", early, survivor, "--rev", std::to_string(early_revision)});
  EXPECT_EQ(agree.exit_code, 0) << Describe(agree);
  EXPECT_NE(agree.out.find("Agree at revision " + std::to_string(early_revision)), std::string::npos) << agree.out;
  auto newest = RunKetcd({"datadir", "compare", early, survivor});
  EXPECT_EQ(newest.exit_code, 0) << "the newest revision both hold: " << Describe(newest);
  auto beyond = RunKetcd({"datadir", "compare", early, survivor, "--rev", dirs[2]["revision"].dump()});
  EXPECT_EQ(beyond.exit_code, 2) << Describe(beyond);
  EXPECT_NE(beyond.err.find("no revision to compare at"), std::string::npos) << beyond.err;

  // A dir of another cluster among them is refused.
  auto other = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(other.ok()) << other.status().message();
  (*other)->StopMember(0);
  auto mixed = RunKetcd({"datadir", "inspect", survivor, (*other)->DataDir(0)});
  EXPECT_EQ(mixed.exit_code, 2) << Describe(mixed);
  EXPECT_NE(mixed.err.find("belongs to cluster"), std::string::npos) << mixed.err;
  // Another keyspace differs, key by key.
  ASSERT_TRUE((*other)->RestartMember(0).ok());
  ASSERT_TRUE((*other)->Put({{"/registry/configmaps/default/cm0", "another value"}}).ok());
  (*other)->StopMember(0);
  auto differ = RunKetcd({"datadir", "compare", survivor, (*other)->DataDir(0), "--rev", "2", "-w", "json"});
  EXPECT_EQ(differ.exit_code, 1) << Describe(differ);
  if (differ.exit_code == 1) {
    const json differences = json::parse(differ.out);
    EXPECT_FALSE(differences["agree"].get<bool>());
    EXPECT_EQ(differences["differingKeys"][0]["key"], "/registry/configmaps/default/cm0") << differ.out;
  }
  auto none = RunKetcd({"datadir", "inspect", cluster.dir()});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("not an etcd data dir"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace ketcd::testing
