// Member and cluster IDs as etcd derives them: checked against the IDs a
// real etcd cluster gave itself at bootstrap, and --initial-cluster parsing.
#include "cluster/member_identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "etcd/client.h"
#include "support/etcd_cluster.h"

namespace ketcd::cluster {
namespace {

TEST(MemberIdentityTest, EqualsTheIdsOfARealBootstrappedCluster) {
  auto cluster = testing::EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  ASSERT_TRUE(client.ok());
  auto members = (*client)->MemberList();
  ASSERT_TRUE(members.ok()) << members.status().message();
  // The harness bootstraps with this token (tests/support/etcd_cluster.cc).
  const std::string token = "ketcd-test-" + std::to_string(getpid());
  std::vector<uint64_t> ids;
  for (int i = 0; i < (*cluster)->size(); ++i) {
    const uint64_t id = MemberId({(*cluster)->PeerUrl(i)}, token);
    ids.push_back(id);
    bool listed = false;
    for (const auto& member : members->members()) listed = listed || member.id() == id;
    EXPECT_TRUE(listed) << "member " << i << " id " << std::hex << id;
  }
  EXPECT_EQ(ClusterId(ids), members->header().cluster_id());
}

TEST(MemberIdentityTest, ParsesInitialCluster) {
  auto parsed = ParseInitialCluster("a=http://10.0.0.1:2380,b=https://h:2380,a=http://10.0.0.9:2380");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->size(), 2u);
  EXPECT_EQ(parsed->at("a"), (std::vector<std::string>{"http://10.0.0.1:2380", "http://10.0.0.9:2380"}));
  // Peer URL order does not change an ID.
  EXPECT_EQ(MemberId({"http://b:1", "http://a:1"}, "t"), MemberId({"http://a:1", "http://b:1"}, "t"));
  EXPECT_NE(MemberId({"http://a:1"}, "t1"), MemberId({"http://a:1"}, "t2"));
  for (const char* bad : {"", "a", "=http://h:1", "a=", "a=ftp://h:1", "a=http://h", "a=http://h:1/x",
                          "a=http://h:1,", "a=http://h:1,b=http://h:1"}) {
    EXPECT_EQ(ParseInitialCluster(bad).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace ketcd::cluster
