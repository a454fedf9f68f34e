// get/put/del print what etcdctl prints for the same data.
#include <gtest/gtest.h>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

class KvCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cluster = EtcdCluster::Start({.members = 1});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster).release();
    for (int i = 0; i < 30; ++i) {
      auto put = RunEtcdctl(Args(cluster_->ConnectionFlags(), {"put", "/kv/" + std::to_string(i),
                                                               "value-" + std::to_string(i)}));
      ASSERT_EQ(put.exit_code, 0) << Describe(put);
    }
    RunEtcdctl(Args(cluster_->ConnectionFlags(), {"put", "/kv/3", "changed"}));
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void ExpectSameAsEtcdctl(const std::vector<std::string>& args) {
    ASSERT_NE(cluster_, nullptr);
    auto full = Args(cluster_->ConnectionFlags(), args);
    auto theirs = RunEtcdctl(full);
    auto ours = RunKetcd(full);
    EXPECT_EQ(ours.exit_code, theirs.exit_code) << Describe(ours);
    EXPECT_EQ(ours.out, theirs.out) << "ketcd " << args[0] << " " << args[1];
  }
  static inline EtcdCluster* cluster_ = nullptr;
};

TEST_F(KvCommandsTest, GetSingleKey) { ExpectSameAsEtcdctl({"get", "/kv/7"}); }
TEST_F(KvCommandsTest, GetPrefix) { ExpectSameAsEtcdctl({"get", "/kv/", "--prefix"}); }
TEST_F(KvCommandsTest, GetPrefixPagedJson) {
  // Pages of 7 keys must still print one etcdctl-identical document.
  auto full = Args(cluster_->ConnectionFlags(), {"get", "/kv/", "--prefix", "-w", "json"});
  auto theirs = RunEtcdctl(full);
  auto ours = RunKetcd(Args(full, {"--page-size", "7"}));
  ASSERT_EQ(ours.exit_code, 0) << Describe(ours);
  EXPECT_EQ(ours.out, theirs.out);
}
TEST_F(KvCommandsTest, GetKeysOnly) {
  ExpectSameAsEtcdctl({"get", "/kv/", "--prefix", "--keys-only"});
}
TEST_F(KvCommandsTest, GetLimit) {
  ExpectSameAsEtcdctl({"get", "/kv/", "--prefix", "--limit", "4"});
}
TEST_F(KvCommandsTest, GetLimitJsonSaysMore) {
  ExpectSameAsEtcdctl({"get", "/kv/", "--prefix", "--limit", "4", "-w", "json"});
}
TEST_F(KvCommandsTest, GetOldRevision) { ExpectSameAsEtcdctl({"get", "/kv/3", "--rev", "5"}); }
TEST_F(KvCommandsTest, GetCountOnlyPrintsTheCount) {
  // etcdctl 3.4 has no --count-only; its full read gives the expected count.
  auto flags = cluster_->ConnectionFlags();
  auto theirs = RunEtcdctl(Args(flags, {"get", "/kv/", "--prefix", "-w", "json"}));
  auto ours = RunKetcd(Args(flags, {"get", "/kv/", "--prefix", "--count-only", "-w", "json"}));
  ASSERT_EQ(ours.exit_code, 0) << Describe(ours);
  EXPECT_NE(theirs.out.find(",\"count\":30}"), std::string::npos) << theirs.out;
  EXPECT_NE(ours.out.find(",\"count\":30}"), std::string::npos) << ours.out;
  EXPECT_EQ(ours.out.find("kvs"), std::string::npos) << ours.out;
  auto simple = RunKetcd(Args(flags, {"get", "/kv/", "--prefix", "--count-only"}));
  EXPECT_EQ(simple.out, "30\n");
}
TEST_F(KvCommandsTest, GetRangeEnd) { ExpectSameAsEtcdctl({"get", "/kv/1", "/kv/2"}); }
TEST_F(KvCommandsTest, GetFromKey) {
  ExpectSameAsEtcdctl({"get", "/kv/5", "--from-key", "--keys-only"});
}
TEST_F(KvCommandsTest, GetMissingKeyPrintsNothing) { ExpectSameAsEtcdctl({"get", "/nope"}); }

TEST_F(KvCommandsTest, PutThenDeleteByPrefix) {
  auto flags = cluster_->ConnectionFlags();
  auto put = RunKetcd(Args(flags, {"put", "/del/a", "1"}));
  ASSERT_EQ(put.exit_code, 0) << Describe(put);
  EXPECT_EQ(put.out, "OK\n");
  CommandOptions from_stdin;
  from_stdin.stdin_data = "from stdin";
  ASSERT_EQ(RunKetcd(Args(flags, {"put", "/del/b"}), from_stdin).exit_code, 0);
  auto read = RunEtcdctl(Args(flags, {"get", "/del/b", "--print-value-only"}));
  EXPECT_EQ(read.out, "from stdin\n");
  auto del = RunKetcd(Args(flags, {"del", "/del/", "--prefix"}));
  ASSERT_EQ(del.exit_code, 0) << Describe(del);
  EXPECT_EQ(del.out, "2\n");
}

TEST_F(KvCommandsTest, ConflictingRangeFlagsAreUsageErrors) {
  auto result = RunKetcd(Args(cluster_->ConnectionFlags(), {"get", "a", "--prefix", "--from-key"}));
  EXPECT_EQ(result.exit_code, 2) << Describe(result);
}

TEST_F(KvCommandsTest, EnvironmentVariablesConfigureTheConnection) {
  CommandOptions options;
  options.env["ETCDCTL_ENDPOINTS"] = cluster_->ClientUrls();
  auto result = RunKetcd({"get", "/kv/7", "--print-value-only"}, options);
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(result.out, "value-7\n");
}

}  // namespace
}  // namespace ketcd::testing
