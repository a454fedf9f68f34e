// ketcd history walks a key's revisions back to its creation or to the
// compaction point, and says what changed between them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

TEST(HistoryCommandTest, ListsRevisionsWithChangesAndStopsAtCompaction) {
  auto cluster = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  ASSERT_TRUE(client.ok());
  const std::string key = "/registry/widgets.example.com/widgets/ns/w";
  std::vector<int64_t> revisions;
  for (int replicas : {1, 3, 5}) {
    etcd::pb::PutRequest put;
    put.set_key(key);
    put.set_value(R"({"apiVersion":"example.com/v1","kind":"Widget","spec":{"replicas":)" +
                  std::to_string(replicas) + "}}");
    auto response = (*client)->Put(put);
    ASSERT_TRUE(response.ok());
    revisions.push_back(response->header().revision());
  }
  auto flags = (*cluster)->ConnectionFlags();
  auto history = RunKetcd(Args(flags, {"history", key, "-o", "json"}));
  ASSERT_EQ(history.exit_code, 0) << Describe(history);
  auto entries = nlohmann::json::parse(history.out);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0]["modRevision"], revisions[0]);
  EXPECT_EQ(entries[2]["object"]["spec"]["replicas"], 5);
  EXPECT_EQ(entries[1]["changes"],
            nlohmann::json::parse(R"([{"op":"replace","path":"/spec/replicas","value":3}])"));

  // After compacting to the last write only that one is held.
  ASSERT_EQ(RunKetcd(Args(flags, {"compact", std::to_string(revisions[2])})).exit_code, 0);
  auto compacted = RunKetcd(Args(flags, {"history", key}));
  ASSERT_EQ(compacted.exit_code, 0) << Describe(compacted);
  EXPECT_NE(compacted.out.find("1 revision(s) held, back to the compaction point"),
            std::string::npos)
      << compacted.out;

  auto missing = RunKetcd(Args(flags, {"history", "/registry/nope"}));
  EXPECT_EQ(missing.exit_code, 1) << Describe(missing);
}

}  // namespace
}  // namespace ketcd::testing
