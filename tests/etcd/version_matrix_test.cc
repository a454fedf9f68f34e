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
  // Overwrites and deletes: etcdutl 3.5 and 3.6 count keys differently.
  ASSERT_EQ(Ketcd({"put", "/matrix/k1", "again"}).exit_code, 0);
  ASSERT_EQ(Ketcd({"del", "/matrix/k2"}).exit_code, 0);
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
  // By default, the figures of the etcdutl of the version that wrote the file.
  json expected = json::parse(theirs.out), status = json::parse(ours.out);
  for (const auto& [field, value] : expected.items()) EXPECT_EQ(status[field], value) << field << ": " << ours.out;
  EXPECT_GE(expected["revision"].get<int64_t>(), 23);
}

// Every etcdutl there is (3.5 from Debian, 3.6 and 3.7 built) on a file this
// server version saved: ketcd with --etcdutl-compat gives its exact figures.
TEST_F(VersionMatrixTest, SnapshotStatusEqualsEveryEtcdutl) {
  KETCD_SKIP_UNLESS(EtcdUnavailable());
  StartCluster(1);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(Ketcd({"put", "/matrix/k" + std::to_string(i % 12), "v"}).exit_code, 0);
  ASSERT_EQ(Ketcd({"del", "/matrix/k3"}).exit_code, 0);
  std::string file = cluster_->dir() + "/saved.db";
  ASSERT_EQ(Ketcd({"snapshot", "save", file}).exit_code, 0);
  int compared = 0;
  for (const auto& [etcdutl, compat] : std::vector<std::pair<std::string, std::string>>{
           {KETCD_ETCDUTL, "3.5"},
           {PeerBinary("etcd-3.6", "etcdutl"), "3.6"},
           {PeerBinary("etcd-3.7", "etcdutl"), "3.7"}}) {
    if (!fs::exists(etcdutl)) continue;
    auto theirs = RunEtcdTool(etcdutl, {"snapshot", "status", file, "-w", "json"});
    ASSERT_EQ(theirs.exit_code, 0) << etcdutl << ": " << Describe(theirs);
    auto ours = RunKetcd({"snapshot", "status", file, "-w", "json", "--etcdutl-compat", compat});
    ASSERT_EQ(ours.exit_code, 0) << Describe(ours);
    json expected = json::parse(theirs.out), status = json::parse(ours.out);
    for (const auto& [field, value] : expected.items()) {
      EXPECT_EQ(status[field], value) << "etcdutl " << compat << ", " << field << ": " << ours.out;
    }
    // The simple format too, line for line.
    auto simple = RunKetcd({"snapshot", "status", file, "--etcdutl-compat", compat});
    EXPECT_EQ(simple.out, RunEtcdTool(etcdutl, {"snapshot", "status", file}).out) << "etcdutl " << compat;
    ++compared;
  }
  if (compared == 0) GTEST_SKIP() << "no etcdutl is there (scripts/install-deps, scripts/install-peers)";
}

}  // namespace
}  // namespace ketcd::testing
