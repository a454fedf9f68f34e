// The smoke test every etcd version runs (3.4 and 3.5 from Debian, 3.6 and
// 3.7 built by scripts/install-peers): one and three members start, ketcd
// reads and writes, reports the member IDs that version's own etcdctl
// reports, and saves a snapshot that version's etcdutl accepts.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/peers.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class VersionMatrixTest : public ::testing::Test {
 protected:
  void StartCluster(int members) {
    auto cluster = EtcdCluster::Start({.members = members});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
  }

  CommandResult Ketcd(const std::vector<std::string>& args) {
    return RunKetcd(Args(cluster_->ConnectionFlags(), args));
  }

  std::unique_ptr<EtcdCluster> cluster_;
};

// endpoint -> member ID, from `endpoint status -w json` of etcdctl or ketcd.
std::map<std::string, uint64_t> MemberIds(const CommandResult& result) {
  std::map<std::string, uint64_t> ids;
  json parsed = json::parse(result.out, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return ids;
  for (const json& entry : parsed) {
    ids[entry.value("Endpoint", "")] = entry["Status"]["header"].value("member_id", uint64_t{0});
  }
  return ids;
}

TEST_F(VersionMatrixTest, OneMemberServesPutAndGet) {
  KETCD_SKIP_UNLESS(EtcdUnavailable());
  StartCluster(1);
  auto put = Ketcd({"put", "/matrix/key", "value-" + EtcdVersion()});
  ASSERT_EQ(put.exit_code, 0) << Describe(put);
  auto get = Ketcd({"get", "/matrix/key", "--print-value-only"});
  ASSERT_EQ(get.exit_code, 0) << Describe(get);
  EXPECT_EQ(get.out, "value-" + EtcdVersion() + "\n");
  // What ketcd wrote, that version's etcdctl reads.
  auto etcdctl = RunEtcdTool(EtcdTool("etcdctl"), Args(cluster_->ConnectionFlags(), {"get", "/matrix/key", "--print-value-only"}));
  ASSERT_EQ(etcdctl.exit_code, 0) << Describe(etcdctl);
  EXPECT_EQ(etcdctl.out, get.out);
}

TEST_F(VersionMatrixTest, ThreeMembersReportTheMemberIdsOfEtcdctl) {
  KETCD_SKIP_UNLESS(EtcdUnavailable());
  StartCluster(3);
  auto ours = Ketcd({"endpoint", "status", "--cluster", "-w", "json"});
  ASSERT_EQ(ours.exit_code, 0) << Describe(ours);
  auto theirs = RunEtcdTool(EtcdTool("etcdctl"), Args(cluster_->ConnectionFlags(), {"endpoint", "status", "--cluster", "-w", "json"}));
  ASSERT_EQ(theirs.exit_code, 0) << Describe(theirs);
  auto ids = MemberIds(ours);
  EXPECT_EQ(ids.size(), 3u) << ours.out;
  EXPECT_EQ(ids, MemberIds(theirs)) << "ketcd: " << ours.out << "\netcdctl: " << theirs.out;
}

TEST_F(VersionMatrixTest, SnapshotSaveIsAcceptedByThatVersionsEtcdutl) {
  KETCD_SKIP_UNLESS(EtcdUnavailable());
  StartCluster(1);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Ketcd({"put", "/matrix/k" + std::to_string(i), std::string(100, 'v')}).exit_code, 0);
  }
  std::string file = cluster_->dir() + "/saved.db";
  auto saved = Ketcd({"snapshot", "save", file});
  ASSERT_EQ(saved.exit_code, 0) << Describe(saved);

  // etcdutl took `snapshot status` over from etcdctl in 3.5; 3.4 has only etcdctl's.
  std::string reference = EtcdTool("etcdutl");
  if (reference.empty()) reference = EtcdTool("etcdctl");
  auto theirs = RunEtcdTool(reference, {"snapshot", "status", file, "-w", "json"});
  ASSERT_EQ(theirs.exit_code, 0) << reference << ": " << Describe(theirs);
  auto ours = RunKetcd({"snapshot", "status", file, "-w", "json"});
  ASSERT_EQ(ours.exit_code, 0) << Describe(ours);
  json reference_status = json::parse(theirs.out), status = json::parse(ours.out);
  EXPECT_EQ(status["hash"], reference_status["hash"]) << theirs.out;
  EXPECT_EQ(status["revision"], reference_status["revision"]) << theirs.out;
  EXPECT_GE(reference_status["revision"].get<int64_t>(), 21);
}

}  // namespace
}  // namespace ketcd::testing
