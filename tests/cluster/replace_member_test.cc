// `ketcd cluster replace-member` on real clusters (every version, and one
// in the middle of a 3.5 -> 3.6 upgrade): a killed member of three is
// replaced by a new one started through --start-cmd; the data is all
// there, the new member votes, the cluster is healthy. A replacement that
// would lose quorum is refused before anything changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

std::vector<std::string> Survivors(const EtcdCluster& c, std::initializer_list<int> members) {
  std::string urls;
  for (int i : members) urls += (urls.empty() ? "" : ",") + c.ClientUrl(i);
  return {"--endpoints=" + urls};
}

TEST(ReplaceMemberTest, ReplacesAKilledMember) {
  auto cluster = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  EtcdCluster& c = **cluster;
  auto client = etcd::EtcdClient::Create(c.ClientConfig());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 200; ++i) {
    etcd::pb::PutRequest put;
    put.set_key("key/" + std::to_string(i));
    put.set_value("value " + std::to_string(i));
    ASSERT_TRUE((*client)->Put(put).ok());
  }
  if (!EtcdNewerBinary().empty()) {  // mid-upgrade: m1 runs the newer minor version
    auto health = RunKetcd(Args(c.ConnectionFlags(), {"cluster", "health"}));
    EXPECT_TRUE(Contains(health.out, "warning: members run different versions")) << health.out;
  }
  c.KillMember(2);
  const int fresh = c.ReserveMember("m3");
  const std::vector<std::string> replace = {"cluster", "replace-member", "m2", "--peer-url", c.PeerUrl(fresh),
                                            "--client-url", c.ClientUrl(fresh), "--name", "m3", "--wait", "60s",
                                            "--start-cmd", c.StartCommandTemplate(), "--backup", c.dir() + "/before.db",
                                            "--manifest-out", c.dir() + "/etcd.yaml", "--image", "example/etcd:3.5.16-0"};
  auto plan = RunKetcd(Args(Survivors(c, {0, 1}), replace));
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_TRUE(Contains(plan.out, "remove member m2")) << plan.out;
  EXPECT_TRUE(Contains(plan.out, "Nothing was changed")) << plan.out;
  auto members = (*client)->MemberList();
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(members->members_size(), 3);

  auto apply = RunKetcd(Args(Survivors(c, {0, 1}), Args(replace, {"--apply"})), {.timeout = std::chrono::minutes(3)});
  ASSERT_EQ(apply.exit_code, 0) << Describe(apply) << c.LogTails();
  EXPECT_TRUE(Contains(apply.out, "--initial-cluster-state=existing")) << apply.out;
  EXPECT_TRUE(std::filesystem::exists(c.dir() + "/before.db"));
  const std::string manifest = ReadFileBytes(c.dir() + "/etcd.yaml");
  EXPECT_TRUE(Contains(manifest, "    - --name=m3\n")) << manifest;
  EXPECT_TRUE(Contains(manifest, "    image: example/etcd:3.5.16-0\n")) << manifest;

  members = (*client)->MemberList();
  ASSERT_TRUE(members.ok());
  std::vector<std::string> names;
  for (const auto& m : members->members()) {
    names.push_back(m.name());
    EXPECT_FALSE(m.islearner()) << m.name();
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"m0", "m1", "m3"}));
  // The new member serves every key (a serializable read answers from its own data).
  etcd::ConnectionConfig to_new = c.ClientConfig();
  to_new.endpoints = {c.ClientUrl(fresh)};
  auto new_client = etcd::EtcdClient::Create(to_new);
  ASSERT_TRUE(new_client.ok());
  etcd::pb::RangeRequest all;
  all.set_key("key/");
  all.set_range_end("key0");
  all.set_serializable(true);
  all.set_count_only(true);
  auto count = (*new_client)->Range(all);
  ASSERT_TRUE(count.ok()) << count.status().message();
  EXPECT_EQ(count->count(), 200);
  auto health = RunKetcd(Args(Survivors(c, {0, 1, fresh}), {"cluster", "health"}));
  EXPECT_EQ(health.exit_code, 0) << Describe(health);
}

TEST(ReplaceMemberTest, RefusesWhenQuorumWouldBeLost) {
  auto cluster = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  EtcdCluster& c = **cluster;
  c.KillMember(1);
  c.KillMember(2);
  const int fresh = c.ReserveMember("m3");
  auto refused = RunKetcd(Args(Survivors(c, {0}), {"cluster", "replace-member", "m2", "--peer-url", c.PeerUrl(fresh),
                                                   "--client-url", c.ClientUrl(fresh), "--apply", "--no-backup",
                                                   "--dial-timeout", "500ms", "--command-timeout", "2s"}));
  EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "would leave 1 of 2 voting members healthy; quorum needs 2")) << refused.err;
  auto unknown = RunKetcd(Args(Survivors(c, {0}), {"cluster", "replace-member", "nope", "--peer-url", c.PeerUrl(fresh),
                                                   "--client-url", c.ClientUrl(fresh)}));
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_TRUE(Contains(unknown.err, "nope")) << unknown.err;
}

}  // namespace
}  // namespace ketcd::testing
