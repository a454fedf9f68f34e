#include "etcd/connection_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "etcd/discovery.h"

namespace ketcd::etcd {
namespace {

namespace fs = std::filesystem;

// A fake node root that tests fill with control-plane files.
class HostRoot {
 public:
  HostRoot() {
    root_ = fs::temp_directory_path() /
            ("ketcd-root-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(root_);
  }
  ~HostRoot() { fs::remove_all(root_); }
  void Write(const std::string& absolute, const std::string& content = "x") {
    fs::path path = root_ / fs::path(absolute).relative_path();
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
  }
  std::string Path(const std::string& absolute) const {
    return (root_ / fs::path(absolute).relative_path()).string();
  }
  std::string root() const { return root_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path root_;
};

constexpr const char* kKubeadmManifest = R"(apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://10.0.0.5:2379
    - --listen-client-urls=https://10.0.0.5:2379,https://127.0.0.1:2379
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    image: registry.k8s.io/etcd:3.6.16-0
    name: etcd
)";

TEST(ConnectionConfigTest, DefaultsMatchEtcdctl) {
  HostRoot empty;
  auto resolved = ResolveConnection({}, {}, empty.root());
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->config.endpoints, std::vector<std::string>{"127.0.0.1:2379"});
  EXPECT_EQ(resolved->config.dial_timeout.count(), 2000);
  EXPECT_EQ(resolved->config.command_timeout.count(), 5000);
  EXPECT_FALSE(resolved->config.UsesTls());
  EXPECT_EQ(resolved->origins.at("endpoints"), "default");
}

TEST(ConnectionConfigTest, FlagsBeatEnvironmentBeatsDefaults) {
  HostRoot empty;
  ConnectionSettings flags;
  flags.endpoints = "https://a:1,https://b:2";
  Environment env = {{"ETCDCTL_ENDPOINTS", "c:3"},
                     {"ETCDCTL_DIAL_TIMEOUT", "7s"},
                     {"ETCDCTL_USER", "root:secret"}};
  auto resolved = ResolveConnection(flags, env, empty.root());
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->config.endpoints, (std::vector<std::string>{"https://a:1", "https://b:2"}));
  EXPECT_EQ(resolved->origins.at("endpoints"), "flag --endpoints");
  EXPECT_EQ(resolved->config.dial_timeout.count(), 7000);
  EXPECT_EQ(resolved->origins.at("dial-timeout"), "environment ETCDCTL_DIAL_TIMEOUT");
  EXPECT_EQ(resolved->config.user, "root");
  EXPECT_EQ(resolved->config.password, "secret");
  EXPECT_TRUE(resolved->config.UsesTls());
}

TEST(ConnectionConfigTest, RejectsBadValuesNamingTheirSource) {
  HostRoot empty;
  auto bad_bool = ResolveConnection({}, {{"ETCDCTL_INSECURE_TRANSPORT", "maybe"}}, empty.root());
  ASSERT_FALSE(bad_bool.ok());
  EXPECT_NE(bad_bool.status().message().find("ETCDCTL_INSECURE_TRANSPORT"), std::string::npos);

  ConnectionSettings flags;
  flags.command_timeout = "soon";
  auto bad_duration = ResolveConnection(flags, {}, empty.root());
  ASSERT_FALSE(bad_duration.ok());
  EXPECT_NE(bad_duration.status().message().find("--command-timeout"), std::string::npos);

  ConnectionSettings cert_only;
  cert_only.cert_file = "/x.crt";
  EXPECT_EQ(ResolveConnection(cert_only, {}, empty.root()).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(DiscoveryTest, KubeadmManifestGivesLoopbackEndpointAndPkiFiles) {
  HostRoot root;
  root.Write("/etc/kubernetes/manifests/etcd.yaml", kKubeadmManifest);
  root.Write("/etc/kubernetes/pki/etcd/ca.crt");
  root.Write("/etc/kubernetes/pki/apiserver-etcd-client.crt");
  root.Write("/etc/kubernetes/pki/apiserver-etcd-client.key");
  auto resolved = ResolveConnection({}, {}, root.root());
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->config.endpoints, std::vector<std::string>{"https://127.0.0.1:2379"});
  EXPECT_EQ(resolved->config.ca_file, root.Path("/etc/kubernetes/pki/etcd/ca.crt"));
  EXPECT_EQ(resolved->config.cert_file, root.Path("/etc/kubernetes/pki/apiserver-etcd-client.crt"));
  EXPECT_EQ(resolved->origins.at("endpoints"),
            "kubeadm " + root.Path("/etc/kubernetes/manifests/etcd.yaml"));
  // The version the node runs, from the image tag (restore checks it).
  EXPECT_EQ(DiscoverControlPlaneEtcd(root.root())->etcd_version, "3.6.16");
}

TEST(DiscoveryTest, KubeadmFallsBackToHealthcheckClient) {
  HostRoot root;
  root.Write("/etc/kubernetes/pki/etcd/ca.crt");
  root.Write("/etc/kubernetes/pki/etcd/healthcheck-client.crt");
  root.Write("/etc/kubernetes/pki/etcd/healthcheck-client.key");
  auto found = DiscoverControlPlaneEtcd(root.root());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->endpoint, "https://127.0.0.1:2379");
  EXPECT_EQ(found->key_file, root.Path("/etc/kubernetes/pki/etcd/healthcheck-client.key"));
}

TEST(DiscoveryTest, FindsRke2AndK3s) {
  for (const std::string name : {"rke2", "k3s"}) {
    HostRoot root;
    const std::string tls = "/var/lib/rancher/" + name + "/server/tls/etcd";
    root.Write(tls + "/server-ca.crt");
    auto found = DiscoverControlPlaneEtcd(root.root());
    ASSERT_TRUE(found.has_value()) << name;
    EXPECT_EQ(found->distribution, name);
    EXPECT_EQ(found->cert_file, root.Path(tls + "/server-client.crt"));
  }
}

TEST(DiscoveryTest, FindsRkeCertificatesOfTheNodesEtcd) {
  HostRoot root;
  root.Write("/etc/kubernetes/ssl/kube-ca.pem");
  // Several etcd nodes' pairs; 127.0.0.1 is an address of this machine.
  for (const std::string host : {"10-0-0-5", "127-0-0-1", "10-0-0-7"}) {
    root.Write("/etc/kubernetes/ssl/kube-etcd-" + host + ".pem");
    root.Write("/etc/kubernetes/ssl/kube-etcd-" + host + "-key.pem");
  }
  root.Write("/etc/kubernetes/ssl/kube-etcd-10-0-0-9.pem");  // no key: not usable
  root.Write("/etc/kubernetes/ssl/kube-apiserver.pem");
  auto found = DiscoverControlPlaneEtcd(root.root());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->distribution, "rke");
  EXPECT_EQ(found->endpoint, "https://127.0.0.1:2379");
  EXPECT_EQ(found->ca_file, root.Path("/etc/kubernetes/ssl/kube-ca.pem"));
  EXPECT_EQ(found->cert_file, root.Path("/etc/kubernetes/ssl/kube-etcd-127-0-0-1.pem"));
  EXPECT_EQ(found->key_file, root.Path("/etc/kubernetes/ssl/kube-etcd-127-0-0-1-key.pem"));

  // None of this machine's: the first, in order.
  HostRoot other;
  other.Write("/etc/kubernetes/ssl/kube-ca.pem");
  for (const std::string host : {"192-0-2-8", "192-0-2-10"}) {
    other.Write("/etc/kubernetes/ssl/kube-etcd-" + host + ".pem");
    other.Write("/etc/kubernetes/ssl/kube-etcd-" + host + "-key.pem");
  }
  auto first = DiscoverControlPlaneEtcd(other.root());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->cert_file, other.Path("/etc/kubernetes/ssl/kube-etcd-192-0-2-10.pem"));

  // A CA without any etcd pair is no RKE etcd node.
  HostRoot bare;
  bare.Write("/etc/kubernetes/ssl/kube-ca.pem");
  EXPECT_FALSE(DiscoverControlPlaneEtcd(bare.root()).has_value());
}

TEST(DiscoveryTest, ExplicitSettingsDisableDiscovery) {
  HostRoot root;
  root.Write("/etc/kubernetes/manifests/etcd.yaml", kKubeadmManifest);
  auto resolved = ResolveConnection({}, {{"ETCDCTL_ENDPOINTS", "127.0.0.1:4001"}}, root.root());
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->config.endpoints, std::vector<std::string>{"127.0.0.1:4001"});
  EXPECT_TRUE(resolved->config.ca_file.empty());
}

}  // namespace
}  // namespace ketcd::etcd
