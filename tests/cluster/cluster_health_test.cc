// `ketcd cluster health` on real clusters of every version: a healthy TLS
// cluster (with its certificates' expiry and, on 3.6+, storage version), and one with an alarm, a learner, a lagging
// member and a dead one, each reported, with exit code 1.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

TEST(ClusterHealthTest, HealthyTlsClusterWithCertificateExpiry) {
  auto cluster = EtcdCluster::Start({.members = 3, .tls = true});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  // 3.6+ write their storage version a while after the cluster version is
  // decided, and a member may first report the previous one ("3.5.0"): wait
  // until every member reports its own.
  const std::string storage_version = EtcdVersion() + ".0";
  CommandResult text;
  for (int attempt = 0; attempt < 200; ++attempt) {
    text = RunKetcd(Args((*cluster)->ConnectionFlags(), {"cluster", "health"}));
    if (EtcdVersion() < "3.6" || Occurrences(text.out, " " + storage_version + " |") == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(text.exit_code, 0) << Describe(text);
  EXPECT_TRUE(Contains(text.out, "Cluster: 3 members (3 voting), leader m")) << text.out;
  EXPECT_TRUE(Contains(text.out, "Verdict: HEALTHY")) << text.out;
  // The test PKI's server certificate lives one day.
  EXPECT_TRUE(Contains(text.out, "warning: m0 TLS certificate expires in 2")) << text.out;  // 23h or 24h

  auto json = RunKetcd(Args((*cluster)->ConnectionFlags(), {"cluster", "health", "-w", "json"}));
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  const auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["healthy"], true);
  ASSERT_EQ(report["members"].size(), 3u);
  int leaders = 0;
  for (const auto& member : report["members"]) {
    EXPECT_EQ(member["reachable"], true) << member;
    EXPECT_EQ(member["lag"].is_number(), true) << member;
    EXPECT_GT(member["certNotAfter"].get<int64_t>(), std::time(nullptr)) << member;
    leaders += member["role"] == "leader";
    // 3.6+ report their storage version and quota; older versions neither.
    if (EtcdVersion() >= "3.6") {
      EXPECT_EQ(member.value("storageVersion", ""), storage_version) << member;
      EXPECT_EQ(member.value("dbSizeQuota", int64_t{0}), int64_t{2} << 30) << member;
      EXPECT_EQ(member["downgrade"]["enabled"], false) << member;
    } else {
      EXPECT_FALSE(member.contains("storageVersion")) << member;
    }
  }
  EXPECT_EQ(leaders, 1);
  EXPECT_EQ(Contains(text.out, " " + storage_version + " |"), EtcdVersion() >= "3.6") << text.out;
}

TEST(ClusterHealthTest, ReportsAlarmLearnerLaggingAndDeadMembers) {
  auto cluster = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  EtcdCluster& c = **cluster;
  auto client = etcd::EtcdClient::Create(c.ClientConfig());
  ASSERT_TRUE(client.ok());
  // A learner, started and caught up.
  const int learner = c.ReserveMember("learner");
  // etcd refuses membership changes until every member has been connected
  // for 5 s ("unhealthy cluster").
  auto added = (*client)->MemberAdd({c.PeerUrl(learner)}, true);
  for (int tries = 0; !added.ok() && tries < 100; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    added = (*client)->MemberAdd({c.PeerUrl(learner)}, true);
  }
  ASSERT_TRUE(added.ok()) << added.status().message();
  std::string initial_cluster;
  for (int i = 0; i <= learner; ++i) initial_cluster += (i ? "," : "") + c.Name(i) + "=" + c.PeerUrl(i);
  ASSERT_TRUE(c.StartJoiningMember(learner, initial_cluster).ok());
  // An alarm, raised through the API as etcd raises NOSPACE itself.
  auto members = (*client)->MemberList();
  ASSERT_TRUE(members.ok());
  uint64_t m0 = 0;
  for (const auto& m : members->members()) if (m.name() == "m0") m0 = m.id();
  etcd::pb::AlarmRequest raise;
  raise.set_action(etcd::pb::AlarmRequest::ACTIVATE);
  raise.set_memberid(m0);
  raise.set_alarm(etcd::pb::CORRUPT);
  ASSERT_TRUE((*client)->Alarm(raise).ok());

  auto report = RunKetcd(Args(c.ConnectionFlags(), {"cluster", "health"}));
  EXPECT_EQ(report.exit_code, 1) << Describe(report);
  EXPECT_TRUE(Contains(report.out, "problem: alarm CORRUPT on m0")) << report.out;
  EXPECT_TRUE(Contains(report.out, "warning: learner is a learner")) << report.out;
  EXPECT_TRUE(Contains(report.err, "cluster unhealthy")) << report.err;
  raise.set_action(etcd::pb::AlarmRequest::DEACTIVATE);
  ASSERT_TRUE((*client)->Alarm(raise).ok());

  // A lagging follower: stopped (SIGSTOP) while the others commit
  // thousands of entries, resumed while `cluster health` waits for its
  // answer; it answers status while still applying the backlog. The backlog
  // is tens of MB so that catching up outlasts two status round trips even
  // on a slow machine (a few hundred KB were applied before the second on
  // CI). (Stalling the leader would only move leadership.)
  int leader = -1;
  for (int i = 0; i < 3 && leader < 0; ++i) {
    etcd::ConnectionConfig one = c.ClientConfig();
    one.endpoints = {c.ClientUrl(i)};
    auto member = etcd::EtcdClient::Create(one);
    ASSERT_TRUE(member.ok());
    auto status = (*member)->EndpointStatus(0);
    ASSERT_TRUE(status.ok()) << status.status().message();
    if (status->leader() == status->header().member_id()) leader = i;
  }
  ASSERT_GE(leader, 0);
  const int stalled = leader == 0 ? 1 : 0;
  const std::string stalled_name = c.Name(stalled);
  etcd::ConnectionConfig to_leader = c.ClientConfig();
  to_leader.endpoints = {c.ClientUrl(leader)};
  CommandResult lagging;
  for (int attempt = 0; attempt < 5; ++attempt) {
    c.PauseMember(stalled);
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        auto writer = etcd::EtcdClient::Create(to_leader);
        if (!writer.ok()) return;
        for (int i = 0; i < 1000; ++i) {
          etcd::pb::PutRequest put;
          put.set_key("load/" + std::to_string(w) + "/" + std::to_string(i % 50));
          put.set_value(std::string(8 << 10, 'x'));
          (void)(*writer)->Put(put);
        }
      });
    }
    for (auto& writer : writers) writer.join();
    std::thread health([&] {
      lagging = RunKetcd(Args(c.ConnectionFlags(), {"cluster", "health", "--max-lag", "20", "--dial-timeout", "5s",
                                                    "--command-timeout", "10s"}));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    c.ResumeMember(stalled);
    health.join();
    if (Contains(lagging.out, "problem: " + stalled_name + " lags the leader by")) break;
  }
  EXPECT_EQ(lagging.exit_code, 1) << Describe(lagging);
  EXPECT_TRUE(Contains(lagging.out, "problem: " + stalled_name + " lags the leader by")) << lagging.out;
  ASSERT_TRUE(c.WaitHealthy().ok());

  c.KillMember(stalled);
  auto dead = RunKetcd(Args(c.ConnectionFlags(), {"cluster", "health", "--dial-timeout", "500ms"}));
  EXPECT_EQ(dead.exit_code, 1) << Describe(dead);
  EXPECT_TRUE(Contains(dead.out, "problem: " + stalled_name + " is unreachable")) << dead.out;
  EXPECT_TRUE(Contains(dead.out, "warning: one more voting member down loses quorum")) << dead.out;
}

}  // namespace
}  // namespace ketcd::testing
