// A backend written by ketcd's bbolt writer (restore::CopyBackend) is one
// real etcd starts from, reads and writes. Until ketcd writes the WAL and
// raft snapshot itself, `etcdctl snapshot restore` makes the rest of the
// data dir and its db is replaced by ours.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "bolt/database.h"
#include "restore/backend_copy.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

TEST(BackendCopyEtcdTest, EtcdStartsFromACopiedBackend) {
  auto cluster = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  for (int i = 0; i < 50; ++i) {
    auto put = RunEtcdctl(Args((*cluster)->ConnectionFlags(),
                               {"put", "/k/" + std::to_string(i), std::string(3000, 'a' + i % 26)}));
    ASSERT_EQ(put.exit_code, 0);
  }
  const fs::path dir = fs::path((*cluster)->dir()) / "restored";
  const std::string snapshot = (fs::path((*cluster)->dir()) / "s.db").string();
  auto saved = RunKetcd(Args((*cluster)->ConnectionFlags(), {"snapshot", "save", snapshot}));
  ASSERT_EQ(saved.exit_code, 0) << Describe(saved);

  const std::string peer = "http://127.0.0.1:" + std::to_string(FreePort());
  const std::string client = "http://127.0.0.1:" + std::to_string(FreePort());
  auto restored = RunEtcdctl({"snapshot", "restore", snapshot, "--name", "r",
                              "--initial-cluster", "r=" + peer, "--initial-advertise-peer-urls",
                              peer, "--data-dir", dir.string()});
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
  const fs::path db = dir / "member" / "snap" / "db";
  fs::remove(db);
  auto source = bolt::Database::Open(snapshot);
  ASSERT_TRUE(source.ok());
  restore::BackendEdits edits;
  edits.merged["meta"]["consistent_index"] = restore::BigEndian64(1);  // one member
  ASSERT_TRUE(restore::CopyBackend(*source, db.string(), edits).ok());

  BackgroundProcess etcd;
  ASSERT_TRUE(etcd.Start({EtcdBinary(), "--name", "r", "--data-dir", dir.string(),
                          "--listen-client-urls", client, "--advertise-client-urls", client,
                          "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer},
                         (dir.parent_path() / "restored.log").string()));
  CommandResult got;
  for (int attempt = 0; attempt < 50; ++attempt) {
    got = RunKetcd({"--endpoints", client, "get", "/k/", "--prefix", "--count-only", "-w", "json"});
    if (got.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(got.exit_code, 0) << Describe(got);
  EXPECT_NE(got.out.find("\"count\":50"), std::string::npos) << got.out;
  auto put = RunEtcdctl({"--endpoints", client, "put", "/k/new", "v"});
  EXPECT_EQ(put.exit_code, 0) << Describe(put);
  etcd.Stop();
}

}  // namespace
}  // namespace ketcd::testing
