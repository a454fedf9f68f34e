// A snapshot saved by etcd 3.7 restored for an older etcd: 3.6 refuses to
// start on 3.7's storage version, so `snapshot restore --target-version`
// migrates it down as etcdutl migrate does (and the cluster version the
// old cluster reached), and refuses what etcd cannot migrate to.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/peers.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Member {
  std::string peer = "http://127.0.0.1:" + std::to_string(FreePort());
  std::string client = "http://127.0.0.1:" + std::to_string(FreePort());
};

class StorageVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KETCD_SKIP_UNLESS(MissingPeer("etcd-3.7", "etcd"));
    KETCD_SKIP_UNLESS(MissingPeer("etcd-3.6", "etcd"));
    auto cluster = EtcdCluster::Start({.binary = PeerBinary("etcd-3.7", "etcd")});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->Put({{"/registry/a", "1"}, {"/registry/b", "2"}}).ok());
    // A snapshot saved before etcd wrote its storage version has none.
    Status written = cluster_->WaitForStorageVersion("3.7.0");
    ASSERT_TRUE(written.ok()) << written.message();
    snapshot_ = cluster_->dir() + "/s37.db";
    auto saved = RunKetcd(Args(cluster_->ConnectionFlags(), {"snapshot", "save", snapshot_}));
    ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
  }

  CommandResult Restore(const std::string& data_dir, const std::vector<std::string>& extra) {
    return RunKetcd(Args({"snapshot", "restore", snapshot_, "--name", "n1", "--initial-cluster",
                          "n1=" + member_.peer, "--initial-advertise-peer-urls", member_.peer,
                          "--data-dir", data_dir},
                         extra));
  }

  // Runs `etcd` on `data_dir`: true once it serves /registry/a.
  bool Serves(const std::string& etcd, const std::string& data_dir, BackgroundProcess& server) {
    EXPECT_TRUE(server.Start({etcd, "--name", "n1", "--data-dir",
                              data_dir, "--listen-client-urls", member_.client,
                              "--advertise-client-urls", member_.client, "--listen-peer-urls",
                              member_.peer, "--initial-advertise-peer-urls", member_.peer},
                             data_dir + ".log"));
    for (int attempt = 0; attempt < 50 && server.running(); ++attempt) {
      auto get = RunKetcd({"--endpoints", member_.client, "get", "/registry/a", "--print-value-only",
                           "--dial-timeout", "1s"});
      if (get.exit_code == 0) return get.out == "1\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::string snapshot_;
  Member member_;
};

TEST_F(StorageVersionTest, TargetVersionMigratesA37SnapshotFor36) {
  const std::string dir = cluster_->dir();
  // As saved: the output says who can start from it, and etcd 3.6 cannot.
  auto as_saved = Restore(dir + "/as-saved", {});
  ASSERT_EQ(as_saved.exit_code, 0) << Describe(as_saved);
  EXPECT_NE(as_saved.out.find("Storage version 3.7.0: etcd 3.7 or newer"), std::string::npos)
      << as_saved.out;
  BackgroundProcess refused;
  EXPECT_FALSE(Serves(PeerBinary("etcd-3.6", "etcd"), dir + "/as-saved", refused));
  refused.Stop();
  EXPECT_TRUE(Contains(ReadFileBytes(dir + "/as-saved.log"), "Failed to validate schema"));

  // --target-version 3.6: the storage version etcdutl migrate would write.
  auto migrated = Restore(dir + "/for-36", {"--target-version", "3.6", "-w", "json"});
  ASSERT_EQ(migrated.exit_code, 0) << Describe(migrated);
  const json report = json::parse(migrated.out);
  EXPECT_EQ(report.value("savedStorageVersion", ""), "3.7.0");
  EXPECT_EQ(report.value("storageVersion", ""), "3.6.0");
  auto status = RunKetcd({"snapshot", "status", dir + "/for-36/member/snap/db", "-w", "json"});
  EXPECT_EQ(json::parse(status.out).value("version", ""), "3.6.0") << status.out;
  BackgroundProcess server;
  EXPECT_TRUE(Serves(PeerBinary("etcd-3.6", "etcd"), dir + "/for-36", server))
      << ReadFileBytes(dir + "/for-36.log");
  server.Stop();

  // 3.5: the field 3.6 added is removed; 3.4: etcd cannot migrate that far.
  auto for_35 = Restore(dir + "/for-35", {"--target-version", "3.5"});
  ASSERT_EQ(for_35.exit_code, 0) << Describe(for_35);
  status = RunKetcd({"snapshot", "status", dir + "/for-35/member/snap/db", "-w", "json"});
  EXPECT_FALSE(json::parse(status.out).contains("version")) << status.out;
  if (MissingExecutable(KETCD_ETCD_35, "etcd 3.5").empty()) {
    EXPECT_TRUE(Serves(KETCD_ETCD_35, dir + "/for-35", server))
        << ReadFileBytes(dir + "/for-35.log");
    server.Stop();
  }
  auto for_34 = Restore(dir + "/for-34", {"--target-version", "3.4"});
  EXPECT_EQ(for_34.exit_code, 2) << Describe(for_34);
  EXPECT_NE(for_34.err.find("storage version is 3.7.0"), std::string::npos) << for_34.err;
  auto nonsense = Restore(dir + "/nonsense", {"--target-version", "three"});
  EXPECT_EQ(nonsense.exit_code, 2) << Describe(nonsense);
}

// On a kubeadm node whose etcd image is 3.6, a 3.7 snapshot is refused
// unless --target-version says how.
TEST_F(StorageVersionTest, RefusedOnANodeRunningAnOlderEtcd) {
  const std::string root = cluster_->dir() + "/node";
  fs::create_directories(root + "/etc/kubernetes/manifests");
  std::ofstream(root + "/etc/kubernetes/manifests/etcd.yaml")
      << "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n"
         "    image: registry.k8s.io/etcd:3.6.16-0\n    command:\n    - etcd\n";
  auto refused = RunKetcd(Args({"--host-root", root}, Args({"snapshot", "restore", snapshot_, "--name", "n1",
                                 "--initial-cluster", "n1=" + member_.peer,
                                 "--initial-advertise-peer-urls", member_.peer, "--data-dir",
                                 cluster_->dir() + "/refused"}, {})));
  EXPECT_EQ(refused.exit_code, 2) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "storage version is 3.7.0 but this node runs etcd 3.6.16")) << refused.err;
  EXPECT_FALSE(fs::exists(cluster_->dir() + "/refused"));
  auto told = RunKetcd(Args({"--host-root", root}, Args({"snapshot", "restore", snapshot_, "--name", "n1",
                              "--initial-cluster", "n1=" + member_.peer,
                              "--initial-advertise-peer-urls", member_.peer, "--data-dir",
                              cluster_->dir() + "/told", "--target-version", "3.6"}, {})));
  EXPECT_EQ(told.exit_code, 0) << Describe(told);
}

}  // namespace
}  // namespace ketcd::testing
