// The Pod CIDR migration judged by kube-controller-manager (1.37): its node
// IPAM controller gave the Nodes subnets of range A; after `migrate pod-cidr`
// it runs with --cluster-cidr B, must take every moved subnet as its own
// (it refuses to start on a Node whose subnet is outside its range) and give
// a new Node a subnet nobody has.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "support/api_server_fixture.h"


namespace ketcd::testing {
namespace {

using nlohmann::json;

constexpr char kRangeA[] = "10.244.0.0/16";
constexpr char kRangeB[] = "10.55.0.0/16";

// What the node IPAM range allocator says when a Node's subnet and its
// range disagree (pkg/controller/nodeipam/ipam/range_allocator.go).
const char* const kAllocatorComplaints[] = {
    "does not exist in cluster cidrs configuration", "failed to mark cidr", "failed to allocate cidr",
    "CIDRNotAvailable", "CIDRAssignmentFailed", "Error processing node work item",
    "Failed to update node PodCIDR", "failed to parse node"};

class PodCidrApiServerTest : public ApiServerFixture {
 protected:
  void SetUp() override {
    KETCD_SKIP_UNLESS(MissingPeer(kKubernetesPeer, "kube-controller-manager"));
    StartEtcdAndApiServer();
  }

  Status StartNodeIpam(const std::string& cluster_cidr) {
    return server_->StartControllerManager({"--controllers=nodeipam", "--allocate-node-cidrs=true",
                                            "--cluster-cidr=" + cluster_cidr, "--node-cidr-mask-size=24"});
  }

  void CreateNode(const std::string& name) {
    auto created = server_->Create("/api/v1/nodes", {{"metadata", {{"name", name}}}});
    ASSERT_TRUE(created.ok()) << created.status().message();
  }

  // Node name -> podCIDR, once `count` Nodes have one (or after a minute).
  std::map<std::string, std::string> WaitForPodCidrs(size_t count) {
    std::map<std::string, std::string> cidrs;
    for (int attempt = 0; attempt < 120; ++attempt) {
      cidrs.clear();
      auto nodes = server_->Get("/api/v1/nodes");
      if (nodes.ok()) {
        for (const json& node : (*nodes)["items"]) {
          const std::string cidr = node["spec"].value("podCIDR", "");
          if (!cidr.empty()) cidrs[node["metadata"]["name"]] = cidr;
        }
      }
      if (cidrs.size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return cidrs;
  }
};

TEST_F(PodCidrApiServerTest, NodeIpamKeepsTheMovedSubnetsAndGivesANewNodeAFreeOne) {
  ASSERT_TRUE(StartNodeIpam(kRangeA).ok());
  for (int i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(CreateNode("node-" + std::to_string(i)));
  const auto before = WaitForPodCidrs(3);
  ASSERT_EQ(before.size(), 3u) << server_->ControllerManagerLog().substr(0, 4000);

  server_->StopControllerManager();
  server_->Stop();
  auto applied = Ketcd({"migrate", "pod-cidr", "--from", kRangeA, "--to", kRangeB, "--apply", "--journal",
                         etcd_->dir() + "/pod-cidr.journal", "--no-backup"});
  ASSERT_EQ(applied.exit_code, 0) << Describe(applied);
  ASSERT_TRUE(server_->Restart().ok());
  const size_t log_before = server_->ControllerManagerLog().size();
  ASSERT_TRUE(StartNodeIpam(kRangeB).ok());

  // The moved subnets (same index in B), then one more Node.
  ASSERT_NO_FATAL_FAILURE(CreateNode("node-new"));
  const auto after = WaitForPodCidrs(4);
  const std::string log = server_->ControllerManagerLog().substr(log_before);
  ASSERT_EQ(after.size(), 4u) << log.substr(0, 6000);
  std::set<std::string> subnets;
  for (const auto& [node, cidr] : before) {
    EXPECT_EQ(after.at(node), "10.55." + cidr.substr(std::string("10.244.").size())) << node;
    subnets.insert(after.at(node));
  }
  const std::string fresh = after.at("node-new");
  EXPECT_EQ(fresh.rfind("10.55.", 0), 0u) << fresh;
  EXPECT_TRUE(subnets.insert(fresh).second) << fresh << " was already a moved Node's";
  for (const char* complaint : kAllocatorComplaints) {
    EXPECT_FALSE(Contains(log, complaint)) << "\"" << complaint << "\" in kube-controller-manager's log:\n"
                                           << log.substr(0, 6000);
  }
}

}  // namespace
}  // namespace ketcd::testing
