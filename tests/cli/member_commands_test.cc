// Membership changes on a real 3-member cluster: add a learner, start it,
// promote it, remove it; move the leader.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

using nlohmann::json;

json MemberList(const EtcdCluster& cluster) {
  auto result = RunKetcd(Args(cluster.ConnectionFlags(), {"member", "list", "-w", "json"}));
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  return json::parse(result.out, nullptr, false).value("members", json::array());
}

std::string Between(const std::string& text, const std::string& start, const std::string& end) {
  auto from = text.find(start);
  if (from == std::string::npos) return "";
  from += start.size();
  return text.substr(from, text.find(end, from) - from);
}

TEST(MemberCommandsTest, AddLearnerPromoteRemove) {
  auto started = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EtcdCluster& cluster = **started;
  int joining = cluster.ReserveMember("m3");

  // etcd refuses membership changes until its members have been connected
  // for a few seconds ("unhealthy cluster"); that refusal is exit code 1.
  CommandResult added;
  for (int attempt = 0; attempt < 40; ++attempt) {
    added = RunKetcd(Args(cluster.ConnectionFlags(), {"member", "add", "m3", "--learner",
                                                      "--peer-urls", cluster.PeerUrl(joining)}));
    if (added.exit_code != 1 || added.err.find("unhealthy cluster") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(added.exit_code, 0) << Describe(added);
  std::string id = Between(added.out, "Member ", " added");
  std::string initial_cluster = Between(added.out, "ETCD_INITIAL_CLUSTER=\"", "\"");
  ASSERT_FALSE(id.empty()) << added.out;
  EXPECT_NE(initial_cluster.find("m3=" + cluster.PeerUrl(joining)), std::string::npos);
  EXPECT_NE(added.out.find("ETCD_INITIAL_CLUSTER_STATE=\"existing\""), std::string::npos);

  json members = MemberList(cluster);
  ASSERT_EQ(members.size(), 4u);
  bool learner_listed = false;
  for (const auto& m : members) learner_listed |= m.value("isLearner", false);
  EXPECT_TRUE(learner_listed);

  ASSERT_TRUE(cluster.StartJoiningMember(joining, initial_cluster).ok());
  // A learner can only be promoted once it has caught up with the leader.
  CommandResult promoted;
  for (int attempt = 0; attempt < 50; ++attempt) {
    promoted = RunKetcd(Args(cluster.ConnectionFlags(), {"member", "promote", "m3"}));
    if (promoted.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(promoted.exit_code, 0) << Describe(promoted);
  EXPECT_EQ(promoted.out.find("Member " + id + " promoted in cluster "), 0u) << promoted.out;
  for (const auto& m : MemberList(cluster)) EXPECT_FALSE(m.value("isLearner", false)) << m;

  auto updated = RunKetcd(Args(cluster.ConnectionFlags(),
                               {"member", "update", id, "--peer-urls", cluster.PeerUrl(joining)}));
  ASSERT_EQ(updated.exit_code, 0) << Describe(updated);
  EXPECT_EQ(updated.out.find("Member " + id + " updated in cluster "), 0u) << updated.out;

  auto removed = RunKetcd(Args(cluster.ConnectionFlags(), {"member", "remove", id}));
  ASSERT_EQ(removed.exit_code, 0) << Describe(removed);
  EXPECT_EQ(removed.out.find("Member " + id + " removed from cluster "), 0u);
  EXPECT_EQ(MemberList(cluster).size(), 3u);

  auto unknown = RunKetcd(Args(cluster.ConnectionFlags(), {"member", "remove", "nobody"}));
  EXPECT_EQ(unknown.exit_code, 2) << Describe(unknown);
}

TEST(MemberCommandsTest, MoveLeaderMovesTheLeader) {
  auto started = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EtcdCluster& cluster = **started;
  auto leader_of = [&]() -> uint64_t {
    auto status = RunKetcd(Args(cluster.ConnectionFlags(), {"endpoint", "status", "-w", "json"}));
    auto parsed = json::parse(status.out, nullptr, false);
    if (parsed.is_discarded() || parsed.empty()) return 0;
    return parsed[0]["Status"]["leader"].get<uint64_t>();
  };
  uint64_t leader = leader_of();
  ASSERT_NE(leader, 0u);
  uint64_t target = 0;
  for (const auto& m : MemberList(cluster)) {
    if (m["ID"].get<uint64_t>() != leader) target = m["ID"].get<uint64_t>();
  }
  char hex[17];
  snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(target));
  auto moved = RunKetcd(Args(cluster.ConnectionFlags(), {"move-leader", hex}));
  ASSERT_EQ(moved.exit_code, 0) << Describe(moved);
  EXPECT_NE(moved.out.find(std::string("to ") + hex), std::string::npos) << moved.out;
  ASSERT_TRUE(cluster.WaitHealthy().ok());
  EXPECT_EQ(leader_of(), target);

  auto again = RunKetcd(Args(cluster.ConnectionFlags(), {"move-leader", hex}));
  EXPECT_EQ(again.exit_code, 1) << "moving to the current leader is an error";
}

}  // namespace
}  // namespace ketcd::testing
