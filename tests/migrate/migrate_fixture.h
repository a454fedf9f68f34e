// What the CIDR migration tests share: a real etcd seeded by
// `ketcd generate cluster`, the keyspace read back whole, and the expected
// keyspace after a migration computed independently of the migration code:
// every object decoded, the old range's text replaced by the new one in the
// API's JSON (the seed ranges keep offsets under such a replacement), and
// encoded again by our encoder (byte-exact on the API's own fixtures).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {

using KeyspaceMap = std::map<std::string, std::string>;

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // `ketcd generate cluster` with extra flags.
  void Generate(const std::vector<std::string>& flags);
  KeyspaceMap ReadAll();
  // Deletes everything and writes `keyspace` back.
  void Reset(const KeyspaceMap& keyspace);
  CommandResult Ketcd(const std::vector<std::string>& args, CommandOptions options = {});
  std::string Path(const std::string& name) const { return (std::filesystem::path(cluster_->dir()) / name).string(); }

  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<etcd::EtcdClient> client_;
};

// `keyspace` with every occurrence of each `from` text replaced by its `to`
// in keys and in decoded objects (re-encoded).
KeyspaceMap ExpectedAfter(const KeyspaceMap& keyspace, const std::vector<std::pair<std::string, std::string>>& replacements);

// Names the keys whose values differ (or exist on one side only).
std::string DescribeDifferences(const KeyspaceMap& expected, const KeyspaceMap& actual);

}  // namespace ketcd::testing
