// ketcd config shows what discovery found on a control-plane node, and where.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/cli_runner.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

TEST(ConfigCommandTest, ShowsKubeadmDiscoveryUnderHostRoot) {
  fs::path root = fs::temp_directory_path() / ("ketcd-config-" + std::to_string(::getpid()));
  fs::create_directories(root / "etc/kubernetes/manifests");
  fs::create_directories(root / "etc/kubernetes/pki/etcd");
  std::ofstream(root / "etc/kubernetes/manifests/etcd.yaml")
      << "spec:\n  containers:\n  - command:\n    - etcd\n"
         "    - --listen-client-urls=https://127.0.0.1:2379,https://10.1.2.3:2379\n";
  for (const char* file : {"etcd/ca.crt", "etcd/server.crt", "etcd/server.key"}) {
    std::ofstream(root / "etc/kubernetes/pki" / file) << "x";
  }
  auto result = RunKetcd({"--host-root", root.string(), "config", "-o", "json"});
  fs::remove_all(root);
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_NE(result.out.find(R"("endpoints":{"value":"https://127.0.0.1:2379","from":"kubeadm )"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("etc/kubernetes/pki/etcd/server.key"), std::string::npos);
}

TEST(ConfigCommandTest, ShowsRkeDiscoveryUnderHostRoot) {
  fs::path root = fs::temp_directory_path() / ("ketcd-config-rke-" + std::to_string(::getpid()));
  fs::create_directories(root / "etc/kubernetes/ssl");
  for (const char* file : {"kube-ca.pem", "kube-etcd-192-0-2-8.pem", "kube-etcd-192-0-2-8-key.pem"}) {
    std::ofstream(root / "etc/kubernetes/ssl" / file) << "x";
  }
  auto result = RunKetcd({"--host-root", root.string(), "config"});
  fs::remove_all(root);
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  const std::string from = "(rke " + (root / "etc/kubernetes/ssl").string() + ")";
  EXPECT_NE(result.out.find("endpoints: https://127.0.0.1:2379  " + from), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("cacert: " + (root / "etc/kubernetes/ssl/kube-ca.pem").string()), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("key: " + (root / "etc/kubernetes/ssl/kube-etcd-192-0-2-8-key.pem").string()),
            std::string::npos)
      << result.out;
}

TEST(ConfigCommandTest, FlagsAndEnvironmentAreAttributed) {
  CommandOptions options;
  options.env["ETCDCTL_DIAL_TIMEOUT"] = "3s";
  auto result =
      RunKetcd({"--endpoints=10.0.0.1:2379", "--host-root=/nonexistent", "config"}, options);
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_NE(result.out.find("endpoints: 10.0.0.1:2379  (flag --endpoints)"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("dial-timeout: 3s  (environment ETCDCTL_DIAL_TIMEOUT)"),
            std::string::npos)
      << result.out;
}

}  // namespace
}  // namespace ketcd::testing
