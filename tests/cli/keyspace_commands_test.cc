// ketcd ls / stats count objects and bytes per resource on a real etcd.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

TEST(KeyspaceCommandsTest, LsAndStatsCountObjectsAndBytesPerResource) {
  auto cluster = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  ASSERT_TRUE(client.ok());
  auto put = [&](const std::string& key, size_t value_size) {
    etcd::pb::PutRequest request;
    request.set_key(key);
    request.set_value(std::string(value_size, 'x'));
    ASSERT_TRUE((*client)->Put(request).ok());
  };
  put("/registry/pods/a/p1", 100);
  put("/registry/pods/b/p2", 300);
  put("/registry/services/specs/a/s", 50);
  put("/registry/namespaces/a", 10);
  put("/registry/example.com/widgets/a/big", 5000);
  put("/unrelated", 1);

  auto ls = RunKetcd(Args((*cluster)->ConnectionFlags(), {"ls", "--namespaces", "-o", "json"}));
  ASSERT_EQ(ls.exit_code, 0) << Describe(ls);
  auto doc = nlohmann::json::parse(ls.out);
  std::map<std::string, nlohmann::json> by_resource;
  for (const auto& entry : doc["resources"]) by_resource[entry["resource"]] = entry;
  ASSERT_EQ(by_resource.size(), 4u) << ls.out;
  EXPECT_EQ(by_resource["pods"]["objects"], 2);
  EXPECT_EQ(by_resource["pods"]["bytes"], 19 + 100 + 19 + 300);
  EXPECT_EQ(by_resource["pods"]["namespaces"]["b"]["objects"], 1);
  // Named as get takes them, with where etcd keeps them.
  EXPECT_EQ(by_resource["services"]["objects"], 1);
  EXPECT_EQ(by_resource["services"]["prefix"], "/registry/services/specs/");
  EXPECT_EQ(by_resource["widgets.example.com"]["objects"], 1);
  EXPECT_EQ(by_resource["widgets.example.com"]["prefix"], "/registry/example.com/widgets/");
  EXPECT_EQ(by_resource["namespaces"]["namespaces"]["(cluster)"]["objects"], 1);

  // kubectl's columns: text left, numbers right; the prefix only when wide.
  auto table = RunKetcd(Args((*cluster)->ConnectionFlags(), {"ls"}));
  ASSERT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_EQ(table.out,
            "RESOURCE              OBJECTS     SIZE\n"
            "namespaces                  1     32 B\n"
            "pods                        2    438 B\n"
            "services                    1     78 B\n"
            "widgets.example.com         1   5.0 kB\n"
            "TOTAL                       5   5.6 kB\n");
  auto wide = RunKetcd(Args((*cluster)->ConnectionFlags(), {"ls", "-o", "wide"}));
  ASSERT_EQ(wide.exit_code, 0) << Describe(wide);
  EXPECT_NE(wide.out.find("services                    1     78 B   /registry/services/specs/\n"), std::string::npos)
      << wide.out;

  auto stats = RunKetcd(Args((*cluster)->ConnectionFlags(), {"stats", "--top", "2", "-o", "json"}));
  ASSERT_EQ(stats.exit_code, 0) << Describe(stats);
  auto figures = nlohmann::json::parse(stats.out);
  EXPECT_EQ(figures["objects"], 5);
  ASSERT_EQ(figures["largest"].size(), 2u);
  EXPECT_EQ(figures["largest"][0]["key"], "/registry/example.com/widgets/a/big");
  EXPECT_EQ(figures["largest"][1]["key"], "/registry/pods/b/p2");
  EXPECT_EQ(figures["resources"][0]["resource"], "widgets.example.com");  // biggest first
  EXPECT_GT(figures["dbSize"].get<int64_t>(), 0);
}

}  // namespace
}  // namespace ketcd::testing
