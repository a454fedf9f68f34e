// ketcd snapshot restore against real etcd: a snapshot of a 3-member
// cluster restored with --all-members, three etcd servers started on the
// new data dirs, compared with etcdctl's restore of the same snapshot, and
// the refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cluster/member_identity.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kWalFile = "/member/wal/0000000000000000-0000000000000000.wal";

struct NewMember {
  std::string name, peer, client;
};

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = EtcdCluster::Start({.members = 3});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    dir_ = cluster_->dir();
    for (int i = 0; i < 120; ++i) {
      auto put = RunKetcd(Args(cluster_->ConnectionFlags(),
                               {"put", "/registry/things/" + std::to_string(i), std::string(900, 'a' + i % 26)}));
      ASSERT_EQ(put.exit_code, 0) << Describe(put);
    }
    ASSERT_EQ(RunKetcd(Args(cluster_->ConnectionFlags(), {"del", "/registry/things/7"})).exit_code, 0);
    snapshot_ = dir_ + "/s.db";
    auto saved = RunKetcd(Args(cluster_->ConnectionFlags(), {"snapshot", "save", snapshot_}));
    ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
    for (const char* name : {"n1", "n2", "n3"}) {
      members_.push_back({name, "http://127.0.0.1:" + std::to_string(FreePort()),
                          "http://127.0.0.1:" + std::to_string(FreePort())});
      initial_cluster_ += std::string(initial_cluster_.empty() ? "" : ",") + name + "=" +
                          members_.back().peer;
    }
  }

  std::vector<std::string> RestoreFlags() const {
    return {"--initial-cluster", initial_cluster_, "--initial-cluster-token", "restored-token"};
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::string dir_, snapshot_, initial_cluster_;
  std::vector<NewMember> members_;
};

TEST_F(RestoreTest, AllMembersStartAsAHealthyClusterWithEtcdctlsIdentity) {
  const std::string out = dir_ + "/restored";
  auto restored = RunKetcd(Args({"snapshot", "restore", snapshot_, "--all-members",
                                 "--output-dir", out, "-w", "json"},
                                RestoreFlags()));
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);

  // etcdctl's restore of member n1 with the same flags: the same WAL and
  // raft snapshot, byte for byte (they hold the member and cluster IDs).
  const std::string reference = dir_ + "/etcdctl-n1";
  auto etcdctl = RunEtcdctl(Args({"snapshot", "restore", snapshot_, "--name", "n1",
                                  "--initial-advertise-peer-urls", members_[0].peer,
                                  "--data-dir", reference},
                                 RestoreFlags()));
  ASSERT_EQ(etcdctl.exit_code, 0) << Describe(etcdctl);
  EXPECT_TRUE(ReadFileBytes(out + "/n1.etcd" + kWalFile) == ReadFileBytes(reference + kWalFile));
  for (const auto& entry : fs::directory_iterator(reference + "/member/snap")) {
    if (entry.path().extension() != ".snap") continue;
    EXPECT_TRUE(ReadFileBytes(entry.path()) ==
                ReadFileBytes(out + "/n1.etcd/member/snap/" + entry.path().filename().string()))
        << entry.path().filename();
  }

  // etcdutl 3.5 writes the same raft snapshot and the same WAL but for its
  // last record (3.5's walpb.Snapshot adds the ConfState).
  if (fs::exists(KETCD_ETCDUTL)) {
    const std::string reference_35 = dir_ + "/etcdutl-n1";
    auto etcdutl = RunCommand(Args({KETCD_ETCDUTL, "snapshot", "restore", snapshot_, "--name", "n1",
                                    "--initial-advertise-peer-urls", members_[0].peer,
                                    "--data-dir", reference_35},
                                   RestoreFlags()));
    ASSERT_EQ(etcdutl.exit_code, 0) << Describe(etcdutl);
    const std::string ours = ReadFileBytes(out + "/n1.etcd" + kWalFile);
    const std::string theirs = ReadFileBytes(reference_35 + kWalFile);
    constexpr size_t kLastRecordFrame = 24;  // 8-byte length + {index, term} padded
    const size_t end = ours.find(std::string(16, '\0')) - kLastRecordFrame;
    EXPECT_TRUE(ours.substr(0, end) == theirs.substr(0, end));
    for (const auto& entry : fs::directory_iterator(reference_35 + "/member/snap")) {
      if (entry.path().extension() != ".snap") continue;
      EXPECT_TRUE(ReadFileBytes(entry.path()) ==
                  ReadFileBytes(out + "/n1.etcd/member/snap/" + entry.path().filename().string()));
    }
  }

  // The keyspace as it was when the snapshot was taken.
  auto before = RunKetcd(Args(cluster_->ConnectionFlags(), {"get", "/", "--prefix", "-w", "json"}));
  ASSERT_EQ(before.exit_code, 0);

  std::vector<BackgroundProcess> servers(members_.size());
  std::string endpoints;
  for (size_t i = 0; i < members_.size(); ++i) {
    const NewMember& m = members_[i];
    ASSERT_TRUE(servers[i].Start(
        {EtcdBinary(), "--name", m.name, "--data-dir", out + "/" + m.name + ".etcd",
         "--listen-client-urls", m.client, "--advertise-client-urls", m.client,
         "--listen-peer-urls", m.peer, "--initial-advertise-peer-urls", m.peer},
        out + "/" + m.name + ".log"));
    endpoints += (i ? "," : "") + m.client;
  }
  CommandResult health;
  for (int attempt = 0; attempt < 100; ++attempt) {
    health = RunKetcd({"--endpoints", endpoints, "endpoint", "health", "--dial-timeout", "1s"});
    if (health.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(health.exit_code, 0) << Describe(health);

  auto list = RunKetcd({"--endpoints", endpoints, "member", "list", "-w", "json"});
  ASSERT_EQ(list.exit_code, 0) << Describe(list);
  json members = json::parse(list.out);
  std::vector<uint64_t> ids;
  for (const auto& m : members_) ids.push_back(cluster::MemberId({m.peer}, "restored-token"));
  EXPECT_EQ(members["header"]["cluster_id"].get<uint64_t>(), cluster::ClusterId(ids));
  ASSERT_EQ(members["members"].size(), 3u);
  for (const auto& member : members["members"]) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), member["ID"].get<uint64_t>()), ids.end());
  }

  // Every key, value and revision as in the snapshot; writes work.
  auto after = RunKetcd({"--endpoints", endpoints, "get", "/", "--prefix", "-w", "json"});
  ASSERT_EQ(after.exit_code, 0);
  EXPECT_TRUE(json::parse(after.out)["kvs"] == json::parse(before.out)["kvs"]);
  auto put = RunKetcd({"--endpoints", endpoints, "put", "/registry/things/new", "v"});
  EXPECT_EQ(put.exit_code, 0) << Describe(put);
  const std::string fresh = out + "/fresh.db";
  auto saved = RunKetcd({"--endpoints", endpoints, "snapshot", "save", fresh});
  ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
  auto keys = [](const std::string& file) {
    auto listed = RunKetcd({"get", "/", "--prefix", "--keys-only", "--snapshot", file});
    EXPECT_EQ(listed.exit_code, 0) << Describe(listed);
    std::set<std::string> set;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) set.insert(line);
    }
    return set;
  };
  std::set<std::string> expected = keys(snapshot_);
  EXPECT_EQ(expected.size(), 119u);
  expected.insert("/registry/things/new");
  EXPECT_EQ(keys(fresh), expected);
  for (auto& server : servers) server.Stop();
}

// etcdutl 3.5's --bump-revision/--mark-compacted: the restored cluster's
// revision jumps past the snapshot's and older revisions read as compacted.
// Every file a restore writes is fsynced before it is renamed into place,
// and every directory that names one afterwards: after a power loss the
// data dirs are whole or absent (members 2..N included, whose db is a copy).
TEST_F(RestoreTest, EveryFileAndDirectoryItWritesIsSynced) {
  if (RunCommand({"strace", "-V"}).exit_code != 0) GTEST_SKIP() << "strace is not installed (scripts/install-deps)";
  const std::string out = dir_ + "/restored", trace = dir_ + "/restore.strace";
  auto restored = RunCommand(Args({"strace", "-f", "-y", "-e", "trace=fsync,fdatasync", "-o", trace, KETCD_BINARY,
                                   "snapshot", "restore", snapshot_, "--all-members", "--output-dir", out},
                                  RestoreFlags()),
                             {.env = {{"ASAN_OPTIONS", "detect_leaks=0"}}});  // LeakSanitizer cannot run traced
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
  const std::string synced = ReadFileBytes(trace);
  auto was_synced = [&](const std::string& path) { return Contains(synced, "<" + path + ">) = 0"); };
  for (const char* name : {"n1", "n2", "n3"}) {
    const std::string staging = out + "/" + name + ".etcd.ketcd-restoring";
    EXPECT_TRUE(was_synced(staging + "/member/snap/db.part")) << name;
    EXPECT_TRUE(was_synced(staging + "/member/wal.tmp/0000000000000000-0000000000000000.wal.part")) << name;
    EXPECT_TRUE(was_synced(staging + "/member/snap")) << name;
    EXPECT_TRUE(was_synced(staging + "/member")) << name;
    EXPECT_TRUE(fs::exists(out + "/" + name + ".etcd" + kWalFile)) << name;
  }
  EXPECT_TRUE(was_synced(out)) << "the directory the data dirs were renamed into";
}

TEST_F(RestoreTest, BumpedRevisionIsCompactedOnStart) {
  auto status = RunKetcd({"snapshot", "status", snapshot_, "-w", "json"});
  ASSERT_EQ(status.exit_code, 0);
  const int64_t revision = json::parse(status.out)["revision"];
  const std::string data_dir = dir_ + "/bumped";
  const NewMember& m = members_[0];
  auto restored = RunKetcd({"snapshot", "restore", snapshot_, "--name", m.name,
                            "--initial-cluster", m.name + "=" + m.peer,
                            "--initial-advertise-peer-urls", m.peer, "--data-dir", data_dir,
                            "--bump-revision", "1000", "--mark-compacted"});
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
  BackgroundProcess server;
  ASSERT_TRUE(server.Start({EtcdBinary(), "--name", m.name, "--data-dir", data_dir,
                            "--listen-client-urls", m.client, "--advertise-client-urls", m.client,
                            "--listen-peer-urls", m.peer, "--initial-advertise-peer-urls", m.peer},
                           data_dir + ".log"));
  CommandResult put;
  for (int attempt = 0; attempt < 100; ++attempt) {
    put = RunKetcd({"--endpoints", m.client, "put", "/after", "x", "-w", "json", "--dial-timeout", "1s"});
    if (put.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(put.exit_code, 0) << Describe(put);
  EXPECT_EQ(json::parse(put.out)["header"]["revision"].get<int64_t>(), revision + 1001);
  auto old = RunKetcd({"--endpoints", m.client, "get", "/", "--prefix", "--rev",
                       std::to_string(revision)});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_NE(old.err.find("compacted"), std::string::npos) << Describe(old);
  auto count = RunKetcd({"--endpoints", m.client, "get", "/registry/", "--prefix", "--count-only", "-w", "json"});
  EXPECT_NE(count.out.find("\"count\":119"), std::string::npos) << count.out;
  server.Stop();
  // Only together, as etcdutl requires.
  auto alone = RunKetcd({"snapshot", "restore", snapshot_, "--data-dir", dir_ + "/x",
                         "--bump-revision", "5"});
  EXPECT_EQ(alone.exit_code, 2);
}

TEST_F(RestoreTest, RefusesBadInputAndNeverOverwrites) {
  const std::string data_dir = dir_ + "/refused";
  auto restore = [&](std::vector<std::string> extra, const std::string& file) {
    return RunKetcd(Args(Args({"snapshot", "restore", file, "--data-dir", data_dir}, RestoreFlags()),
                         extra));
  };
  const std::vector<std::string> n1 = {"--name", "n1", "--initial-advertise-peer-urls",
                                       members_[0].peer};
  // A corrupt snapshot (a flipped byte: the trailer no longer matches).
  std::string bytes = ReadFileBytes(snapshot_);
  bytes[bytes.size() / 2] ^= 0x20;
  const std::string corrupt = dir_ + "/corrupt.db";
  std::ofstream(corrupt, std::ios::binary) << bytes;
  auto refused = restore(n1, corrupt);
  EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
  EXPECT_NE(refused.err.find("fails verification"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(data_dir));
  // Not in the cluster, URLs not matching, a bad --initial-cluster.
  auto stranger = restore({"--name", "n9", "--initial-advertise-peer-urls", members_[0].peer}, snapshot_);
  EXPECT_EQ(stranger.exit_code, 2);
  EXPECT_NE(stranger.err.find("not a member"), std::string::npos) << stranger.err;
  auto mismatch = restore({"--name", "n1", "--initial-advertise-peer-urls", members_[1].peer}, snapshot_);
  EXPECT_EQ(mismatch.exit_code, 2);
  auto bad = RunKetcd({"snapshot", "restore", snapshot_, "--data-dir", data_dir,
                       "--initial-cluster", "n1=not-a-url", "--name", "n1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(fs::exists(data_dir));
  // An existing data dir is left alone.
  fs::create_directories(data_dir);
  std::ofstream(data_dir + "/precious") << "keep";
  auto existing = restore(n1, snapshot_);
  EXPECT_EQ(existing.exit_code, 2);
  EXPECT_NE(existing.err.find("exists"), std::string::npos);
  EXPECT_EQ(ReadFileBytes(data_dir + "/precious"), "keep");
  // The same snapshot restores fine elsewhere, with the WAL in its own dir.
  auto good = RunKetcd(Args(Args({"snapshot", "restore", snapshot_, "--data-dir", data_dir + "-ok",
                                  "--wal-dir", data_dir + "-wal"},
                                 RestoreFlags()), n1));
  EXPECT_EQ(good.exit_code, 0) << Describe(good);
  EXPECT_TRUE(fs::exists(data_dir + "-wal/0000000000000000-0000000000000000.wal"));
  EXPECT_TRUE(fs::exists(data_dir + "-ok/member/snap/db"));
  EXPECT_FALSE(fs::exists(data_dir + "-ok/member/wal"));
}

}  // namespace
}  // namespace ketcd::testing
