// kubectl-style `ketcd get RESOURCE [NAME]` over Kubernetes objects stored
// as the API server stores them, online and from a snapshot; plain keys
// still read as etcdctl reads them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

class ResourceGetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunKetcd({"schema", "list"}).exit_code != 0) GTEST_SKIP() << "ketcd has no built-in schema";
    auto cluster = EtcdCluster::Start({.members = 1});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    Store("/registry/services/specs/default/kubernetes", Service("kubernetes", "default", "10.96.0.1"));
    Store("/registry/services/specs/kube-system/kube-dns", Service("kube-dns", "kube-system", "10.96.0.10"));
    Store("/registry/namespaces/default",
          R"({"kind":"Namespace","apiVersion":"v1","metadata":{"name":"default","creationTimestamp":"2020-01-01T00:00:00Z"}})");
    // Custom resources are stored as JSON.
    Put("/registry/example.com/widgets/default/w1",
        R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","namespace":"default"}})");
  }

  static std::string Service(const std::string& name, const std::string& ns, const std::string& ip) {
    return R"({"kind":"Service","apiVersion":"v1","metadata":{"name":")" + name +
           R"(","namespace":")" + ns + R"(","creationTimestamp":"2020-01-01T00:00:00Z"},"spec":{"clusterIP":")" +
           ip + R"("}})";
  }
  void Put(const std::string& key, const std::string& value) {
    CommandOptions options;
    options.stdin_data = value;
    auto put = RunKetcd(Args(cluster_->ConnectionFlags(), {"put", key}), options);
    ASSERT_EQ(put.exit_code, 0) << Describe(put);
  }
  void Store(const std::string& key, const std::string& json) {
    CommandOptions options;
    options.stdin_data = json;
    auto encoded = RunKetcd({"encode"}, options);
    ASSERT_EQ(encoded.exit_code, 0) << Describe(encoded);
    Put(key, encoded.out);
  }
  CommandResult Get(const std::vector<std::string>& args) {
    return RunKetcd(Args(Args(cluster_->ConnectionFlags(), {"get"}), args));
  }

  std::unique_ptr<EtcdCluster> cluster_;
};

TEST_F(ResourceGetTest, ListsLikeKubectl) {
  auto services = Get({"svc"});
  ASSERT_EQ(services.exit_code, 0) << Describe(services);
  EXPECT_TRUE(services.out.rfind("NAME         AGE\nkubernetes   ", 0) == 0) << services.out;
  EXPECT_EQ(services.out.find("kube-dns"), std::string::npos);

  auto all = Get({"services", "-A", "-o", "wide"});
  ASSERT_EQ(all.exit_code, 0) << Describe(all);
  EXPECT_NE(all.out.find("NAMESPACE     NAME         AGE"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("kube-system   kube-dns"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("/registry/services/specs/kube-system/kube-dns"), std::string::npos);

  auto namespaces = Get({"namespace"});  // cluster-scoped, singular
  EXPECT_NE(namespaces.out.find("default"), std::string::npos) << Describe(namespaces);
  auto widgets = Get({"widgets.example.com"});
  EXPECT_NE(widgets.out.find("w1"), std::string::npos) << Describe(widgets);

  auto none = Get({"configmaps"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.err, "No resources found in default namespace.\n");
}

TEST_F(ResourceGetTest, OneObjectOrAListAsJsonAndYaml) {
  auto one = Get({"service", "kube-dns", "-n", "kube-system", "-o", "json"});
  ASSERT_EQ(one.exit_code, 0) << Describe(one);
  auto object = nlohmann::json::parse(one.out);
  EXPECT_EQ(object["spec"]["clusterIP"], "10.96.0.10");
  EXPECT_EQ(object["metadata"]["namespace"], "kube-system");

  auto list = Get({"svc", "-A", "-o", "json"});
  auto document = nlohmann::json::parse(list.out);
  EXPECT_EQ(document["kind"], "List");
  EXPECT_EQ(document["items"].size(), 2u);
  auto yaml = Get({"svc", "kubernetes", "-o", "yaml"});
  EXPECT_NE(yaml.out.find("clusterIP: 10.96.0.1\n"), std::string::npos) << yaml.out;

  auto missing = Get({"svc", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("svc \"nope\" not found"), std::string::npos) << missing.err;
}

TEST_F(ResourceGetTest, SnapshotReadsTheSameAndPlainKeysStayKeys) {
  const std::string snapshot = cluster_->dir() + "/s.db";
  ASSERT_EQ(RunKetcd(Args(cluster_->ConnectionFlags(), {"snapshot", "save", snapshot})).exit_code, 0);
  auto online = Get({"svc", "-A", "-o", "json"});
  auto offline = RunKetcd({"get", "svc", "-A", "-o", "json", "--snapshot", snapshot});
  ASSERT_EQ(offline.exit_code, 0) << Describe(offline);
  EXPECT_EQ(offline.out, online.out);
  // A key that names no resource is an etcd key, as with etcdctl.
  Put("plainkey", "v");
  auto plain = Get({"plainkey"});
  EXPECT_EQ(plain.out, "plainkey\nv\n");
}

}  // namespace
}  // namespace ketcd::testing
