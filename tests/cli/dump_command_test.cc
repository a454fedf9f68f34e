// ketcd dump streams every object under a prefix, decoded as the API server
// prints it, from a real etcd holding the Kubernetes fixtures' stored bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

TEST(DumpCommandTest, StreamsDecodedObjectsAndShowsUndecodableValuesRaw) {
  const fs::path fixtures = fs::path(KETCD_SHARED_DIR) / "fixtures" / "k8s-api-v1.36";
  if (!fs::is_directory(fixtures)) GTEST_SKIP() << fixtures << " not found (../shared is absent)";
  auto schema_check = RunKetcd({"schema", "list"});
  if (schema_check.exit_code != 0) GTEST_SKIP() << "ketcd has no built-in schema";

  auto cluster = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  ASSERT_TRUE(client.ok());
  auto put = [&](const std::string& key, const std::string& value) {
    etcd::pb::PutRequest request;
    request.set_key(key);
    request.set_value(value);
    ASSERT_TRUE((*client)->Put(request).ok());
  };
  // Keys sort in this order, so output line i is fixture i.
  const std::vector<std::pair<std::string, std::string>> objects = {
      {"/registry/configmaps/ns/a", "core.v1.ConfigMap"},
      {"/registry/deployments/ns/b", "apps.v1.Deployment"},
      {"/registry/secrets/ns/c", "core.v1.Secret"},
      {"/registry/services/specs/ns/d", "core.v1.Service"},
  };
  for (const auto& [key, type] : objects) put(key, ReadFileBytes(fixtures / (type + ".pb")));
  put("/registry/widgets.example.com/widgets/ns/e",
      R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"e"}})");
  put("/registry/zz-garbage", "not a kubernetes object");
  put("/other/ignored", "outside the prefix");

  auto dumped =
      RunKetcd(Args((*cluster)->ConnectionFlags(), {"dump", "/registry/", "-o", "jsonl"}));
  ASSERT_EQ(dumped.exit_code, 0) << Describe(dumped);
  std::vector<nlohmann::json> lines;
  std::istringstream out(dumped.out);
  for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), objects.size() + 2);
  // As the API server returns them and kubectl prints them: the stored
  // object, resourceVersion from the key's mod revision (the first put is
  // revision 2), no managedFields.
  for (size_t i = 0; i < objects.size(); ++i) {
    auto want = nlohmann::json::parse(ReadFileBytes(fixtures / (objects[i].second + ".json")));
    want["metadata"].erase("managedFields");
    want["metadata"]["resourceVersion"] = std::to_string(2 + i);
    EXPECT_EQ(lines[i], want) << objects[i].second;
  }
  EXPECT_EQ(lines[4]["kind"], "Widget");
  EXPECT_EQ(lines[4]["metadata"]["resourceVersion"], "6");
  EXPECT_EQ(lines[5]["ketcd.key"], "/registry/zz-garbage");
  EXPECT_TRUE(lines[5].contains("ketcd.error"));
  EXPECT_NE(dumped.err.find("1 of 6 values could not be decoded"), std::string::npos) << dumped.err;

  auto with_managed_fields = RunKetcd(Args((*cluster)->ConnectionFlags(),
                                           {"dump", "/registry/configmaps/", "-o", "jsonl",
                                            "--show-managed-fields"}));
  ASSERT_EQ(with_managed_fields.exit_code, 0) << Describe(with_managed_fields);
  auto want = nlohmann::json::parse(ReadFileBytes(fixtures / (objects[0].second + ".json")));
  auto shown = nlohmann::json::parse(with_managed_fields.out);
  EXPECT_EQ(shown["metadata"]["managedFields"], want["metadata"]["managedFields"]);
}

}  // namespace
}  // namespace ketcd::testing
