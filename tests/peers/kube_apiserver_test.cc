// A real kube-apiserver (1.37, on etcd 3.6 as Kubernetes 1.34+ runs it)
// writes objects; ketcd reads them back from that etcd as kubectl shows them.
#include <gtest/gtest.h>

#include <thread>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/kube_apiserver.h"
#include "support/peers.h"

namespace ketcd::testing {
namespace {

using nlohmann::json;

constexpr char kEtcdPeer[] = "etcd-3.6";

class KubeApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KETCD_SKIP_UNLESS(MissingPeer(kKubernetesPeer, "kube-apiserver"));
    KETCD_SKIP_UNLESS(MissingPeer(kEtcdPeer, "etcd"));
    auto etcd = EtcdCluster::Start({.binary = PeerBinary(kEtcdPeer, "etcd")});
    ASSERT_TRUE(etcd.ok()) << etcd.status().message();
    etcd_ = std::move(*etcd);
    auto server = KubeApiServer::Start(*etcd_, {.service_cluster_ip_range = "10.97.0.0/16"});
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }

  void CreateApp() {
    ASSERT_TRUE(server_->Create("/api/v1/namespaces", {{"metadata", {{"name", "smoke"}}}}).ok());
    json labels = {{"app", "web"}};
    json deployment = {
        {"metadata", {{"name", "web"}}},
        {"spec",
         {{"replicas", 2},
          {"selector", {{"matchLabels", labels}}},
          {"template",
           {{"metadata", {{"labels", labels}}},
            {"spec", {{"containers", {{{"name", "web"}, {"image", "nginx:1.27"}}}}}}}}}}};
    auto created = server_->Create("/apis/apps/v1/namespaces/smoke/deployments", deployment);
    ASSERT_TRUE(created.ok()) << created.status().message();
    json service = {{"metadata", {{"name", "web"}}},
                    {"spec", {{"selector", labels}, {"ports", {{{"port", 80}}}}}}};
    auto svc = server_->Create("/api/v1/namespaces/smoke/services", service);
    ASSERT_TRUE(svc.ok()) << svc.status().message();
    cluster_ip_ = (*svc)["spec"]["clusterIP"];
  }

  CommandResult Ketcd(const std::vector<std::string>& args) {
    return RunKetcd(Args(etcd_->ConnectionFlags(), args));
  }

  std::unique_ptr<EtcdCluster> etcd_;
  std::unique_ptr<KubeApiServer> server_;
  std::string cluster_ip_;
};

TEST_F(KubeApiServerTest, KetcdReadsWhatTheApiServerWrote) {
  ASSERT_NO_FATAL_FAILURE(CreateApp());
  ASSERT_EQ(cluster_ip_.rfind("10.97.", 0), 0u) << cluster_ip_;

  auto services = Ketcd({"get", "svc", "-A", "-o", "json"});
  ASSERT_EQ(services.exit_code, 0) << Describe(services);
  json list = json::parse(services.out, nullptr, false);
  ASSERT_TRUE(list.is_object()) << services.out;
  bool found = false;
  for (const json& item : list["items"]) {
    if (item["metadata"]["namespace"] == "smoke" && item["metadata"]["name"] == "web") {
      found = true;
      EXPECT_EQ(item["spec"]["clusterIP"], cluster_ip_);
      EXPECT_EQ(item["spec"]["ports"][0]["port"], 80);
    }
  }
  EXPECT_TRUE(found) << services.out;
  // The API server's own Service in default, with the range's first address.
  EXPECT_TRUE(Contains(services.out, "\"10.97.0.1\"")) << services.out;

  auto deployments = Ketcd({"get", "deploy", "-A"});
  ASSERT_EQ(deployments.exit_code, 0) << Describe(deployments);
  EXPECT_TRUE(Contains(deployments.out, "smoke")) << deployments.out;
  EXPECT_TRUE(Contains(deployments.out, "web")) << deployments.out;
}

TEST_F(KubeApiServerTest, ControllerManagerActsOnWhatTheApiServerStores) {
  ASSERT_NO_FATAL_FAILURE(CreateApp());
  ASSERT_TRUE(server_->StartControllerManager({"--controllers=deployment,replicaset,serviceaccount"}).ok());
  // The deployment controller makes a ReplicaSet, the replicaset controller
  // two Pods (admitted once the serviceaccount controller has made the
  // namespace's default ServiceAccount); ketcd sees both in etcd.
  CommandResult pods;
  for (int attempt = 0; attempt < 120; ++attempt) {
    pods = Ketcd({"get", "pods", "-n", "smoke"});
    if (pods.exit_code == 0 && Contains(pods.out, "web-")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(Contains(pods.out, "web-")) << Describe(pods) << "\n" << server_->ControllerManagerLog();
  auto replica_sets = Ketcd({"get", "rs", "-n", "smoke", "-o", "json"});
  ASSERT_EQ(replica_sets.exit_code, 0) << Describe(replica_sets);
  EXPECT_TRUE(Contains(replica_sets.out, "\"kind\": \"Deployment\"")) << replica_sets.out;
}

TEST_F(KubeApiServerTest, StopsAndRestartsOnTheSameEtcd) {
  ASSERT_NO_FATAL_FAILURE(CreateApp());
  server_->Stop();
  ASSERT_TRUE(server_->Restart().ok());
  auto service = server_->Get("/api/v1/namespaces/smoke/services/web");
  ASSERT_TRUE(service.ok()) << service.status().message();
  EXPECT_EQ((*service)["spec"]["clusterIP"], cluster_ip_);
  EXPECT_TRUE(Contains(server_->Log(), "Serving securely")) << server_->Log().substr(0, 2000);
}

}  // namespace
}  // namespace ketcd::testing
