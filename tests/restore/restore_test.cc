// ketcd snapshot restore against real etcd of every version: a snapshot of
// a 3-member cluster restored with --all-members, three etcd servers
// started (twice) on the new data dirs, the files compared with that
// version's etcdutl (etcdctl for 3.4), learners, and the refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include <google/protobuf/util/message_differencer.h>

#include "cluster/member_identity.h"
#include "support/cli_runner.h"
#include "etcd/etcdserver/etcdserverpb/etcdserver.pb.h"
#include "restore/wal_reader.h"
#include "support/data_dir_files.h"
#include "support/etcd_cluster.h"
#include "support/test_files.h"
#include "support/zip_writer.h"
#include "util/hex_id.h"

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
    std::vector<std::pair<std::string, std::string>> keys;
    for (int i = 0; i < 120; ++i) {
      keys.emplace_back("/registry/things/" + std::to_string(i), std::string(900, 'a' + i % 26));
    }
    Status put = cluster_->Put(keys);
    ASSERT_TRUE(put.ok()) << put.message();
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

  // `snapshot restore --all-members` into DIR/restored.
  std::string RestoreAll(const std::vector<std::string>& extra) {
    const std::string out = dir_ + "/restored";
    auto restored = RunKetcd(Args(Args({"snapshot", "restore", snapshot_, "--all-members",
                                        "--output-dir", out}, RestoreFlags()), extra));
    EXPECT_EQ(restored.exit_code, 0) << Describe(restored);
    restore_output_ = restored.out;
    return out;
  }
  std::string restore_output_;

  std::unique_ptr<EtcdCluster> cluster_;
  std::string dir_, snapshot_, initial_cluster_;
  std::vector<NewMember> members_;
};

// What two protobuf messages disagree on, unset scalars counting as their
// defaults (etcd 3.7's protobuf library leaves zero fields out where gogo,
// 3.4-3.6, wrote them); empty when they agree.
std::string Difference(const google::protobuf::Message& ours,
                       const google::protobuf::Message& theirs) {
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_message_field_comparison(
      google::protobuf::util::MessageDifferencer::EQUIVALENT);
  std::string report;
  differencer.ReportDifferencesToString(&report);
  differencer.Compare(ours, theirs);
  return report;
}

// walpb.Snapshot's ConfState (field 3 since 3.5; the build's walpb is 3.4's).
raftpb::ConfState WalSnapshotConfState(const walpb::Snapshot& snapshot) {
  raftpb::ConfState conf_state;
  const auto& unknown = snapshot.unknown_fields();
  for (int i = 0; i < unknown.field_count(); ++i) {
    if (unknown.field(i).number() == 3) conf_state.ParseFromString(unknown.field(i).length_delimited());
  }
  return conf_state;
}

// The records of two WALs, parsed by type and compared field by field. crc
// records (a running checksum of the bytes) are left out; with
// `theirs_is_34`, so is the ConfState that 3.4's walpb.Snapshot lacks.
void ExpectEquivalentWals(const std::string& ours_dir, const std::string& theirs_dir,
                          bool theirs_is_34) {
  auto ours = ReadWalRecords(ours_dir), theirs = ReadWalRecords(theirs_dir);
  ASSERT_TRUE(ours.ok() && theirs.ok()) << ours.status().message() << theirs.status().message();
  ASSERT_EQ(ours->size(), theirs->size());
  for (size_t i = 0; i < ours->size(); ++i) {
    const walpb::Record &a = (*ours)[i], &b = (*theirs)[i];
    ASSERT_EQ(a.type(), b.type()) << "record " << i;
    // Parses both records' data as M and compares them.
    auto same = [&](auto& message_a, auto& message_b) {
      const bool parsed = message_a.ParseFromString(a.data()) && message_b.ParseFromString(b.data());
      EXPECT_TRUE(parsed) << "record " << i;
      EXPECT_EQ(Difference(message_a, message_b), "") << "record " << i;
    };
    switch (a.type()) {
      case 1: {
        etcdserverpb::Metadata metadata_a, metadata_b;
        same(metadata_a, metadata_b);
        break;
      }
      case 3: {
        raftpb::HardState state_a, state_b;
        same(state_a, state_b);
        break;
      }
      case 2: {  // a ConfChange entry: its data compared parsed too
        raftpb::Entry entry_a, entry_b;
        raftpb::ConfChange change_a, change_b;
        ASSERT_TRUE(entry_a.ParseFromString(a.data()) && entry_b.ParseFromString(b.data()) &&
                    change_a.ParseFromString(entry_a.data()) &&
                    change_b.ParseFromString(entry_b.data()));
        EXPECT_EQ(Difference(change_a, change_b), "") << "record " << i;
        EXPECT_EQ(change_a.context(), change_b.context());
        entry_a.clear_data();
        entry_b.clear_data();
        EXPECT_EQ(Difference(entry_a, entry_b), "") << "record " << i;
        break;
      }
      case 5: {
        walpb::Snapshot snapshot_a, snapshot_b;
        ASSERT_TRUE(snapshot_a.ParseFromString(a.data()) && snapshot_b.ParseFromString(b.data()));
        EXPECT_EQ(snapshot_a.index(), snapshot_b.index());
        EXPECT_EQ(snapshot_a.term(), snapshot_b.term());
        if (!theirs_is_34) {
          EXPECT_EQ(Difference(WalSnapshotConfState(snapshot_a), WalSnapshotConfState(snapshot_b)), "");
        }
        break;
      }
    }
  }
}

// The files of a v2 store's JSON (path -> value), without the indexes Go's
// map order shuffles between etcdutl runs.
std::map<std::string, std::string> V2StoreFiles(const std::string& store_json) {
  std::map<std::string, std::string> files;
  std::function<void(const json&)> walk = [&](const json& node) {
    if (node["Children"].is_null()) {
      files[node["Path"]] = node["Value"];
      return;
    }
    for (const auto& [name, child] : node["Children"].items()) walk(child);
  };
  walk(json::parse(store_json)["Root"]);
  return files;
}

std::map<std::string, std::string> Bucket(const std::string& data_dir, const std::string& name) {
  auto entries = BucketEntries(data_dir + "/member/snap/db", name);
  EXPECT_TRUE(entries.ok()) << entries.status().message();
  return entries.ok() ? *entries : std::map<std::string, std::string>();
}

// ketcd's data dir for member n1 against the reference tool's of the same
// version and flags: the same IDs, WAL, raft snapshot, membership buckets,
// meta and keyspace. Intended differences (restore/restore.h): the db is a
// compact copy (other bytes, same content); meta "confState" is the new
// cluster's (etcdutl leaves the old cluster's); against 3.4's etcdctl, the
// ConfState in the WAL's snapshot record and the rewritten membership and
// "term" of 3.5's restore.
TEST_F(RestoreTest, FilesEqualThoseOfThatVersionsEtcdutl) {
  const std::string tool = EtcdSnapshotTool();
  ASSERT_FALSE(tool.empty()) << "no etcdutl or etcdctl beside " << EtcdBinary();
  const bool theirs_is_34 = EtcdVersion() == "3.4";
  const std::vector<std::string> n1 = {"--name", "n1", "--initial-advertise-peer-urls",
                                       members_[0].peer};
  const std::string ours = dir_ + "/ours", theirs = dir_ + "/theirs";
  auto restored = RunKetcd(Args(Args({"snapshot", "restore", snapshot_, "--data-dir", ours}, n1),
                                RestoreFlags()));
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
  auto reference = RunEtcdTool(
      tool, Args(Args({"snapshot", "restore", snapshot_, "--data-dir", theirs}, n1), RestoreFlags()));
  ASSERT_EQ(reference.exit_code, 0) << Describe(reference);

  ExpectEquivalentWals(ours, theirs, theirs_is_34);
  auto snap_ours = ReadRaftSnapshot(ours), snap_theirs = ReadRaftSnapshot(theirs);
  ASSERT_TRUE(snap_ours.ok() && snap_theirs.ok());
  EXPECT_EQ(Difference(snap_ours->metadata(), snap_theirs->metadata()), "");
  EXPECT_EQ(V2StoreFiles(snap_ours->data()), V2StoreFiles(snap_theirs->data()));

  for (const char* bucket : {"key", "lease", "auth", "authUsers", "authRoles", "alarm"}) {
    EXPECT_TRUE(Bucket(ours, bucket) == Bucket(theirs, bucket)) << bucket;
  }
  auto meta_ours = Bucket(ours, "meta"), meta_theirs = Bucket(theirs, "meta");
  const std::string snapshot_dir = dir_ + "/as-saved";
  fs::create_directories(snapshot_dir + "/member/snap");
  fs::copy_file(snapshot_, snapshot_dir + "/member/snap/db");
  auto meta_saved = Bucket(snapshot_dir, "meta");
  for (const auto& [key, value] : meta_theirs) {
    if (key == "confState") continue;
    EXPECT_EQ(meta_ours[key], value) << "meta " << key;
  }
  EXPECT_EQ(meta_ours.count("storageVersion"), meta_saved.count("storageVersion"));
  if (meta_saved.count("confState")) {
    std::vector<uint64_t> voters;
    for (const auto& m : members_) voters.push_back(cluster::MemberId({m.peer}, "restored-token"));
    std::sort(voters.begin(), voters.end());
    EXPECT_EQ(json::parse(meta_ours["confState"]),
              json({{"voters", voters}, {"auto_leave", false}}));
  }
  if (!theirs_is_34) {
    EXPECT_EQ(Bucket(ours, "members"), Bucket(theirs, "members"));
    EXPECT_EQ(Bucket(ours, "members_removed"), Bucket(theirs, "members_removed"));
    EXPECT_EQ(meta_ours.size() - meta_theirs.size(), 0u);
  }
}

// Starts etcd on each restored data dir; waits until the voters are
// healthy (a learner answers no linearizable read, so etcdctl's and ketcd's
// health check call it unhealthy).
class RestoredCluster {
 public:
  RestoredCluster(const std::vector<NewMember>& members, const std::string& dir,
                  const std::string& learner = "")
      : members_(members), dir_(dir), servers_(members.size()) {
    for (size_t i = 0; i < members.size(); ++i) {
      endpoints_ += (i ? "," : "") + members[i].client;
      if (members[i].name != learner) {
        voters_ += (voters_.empty() ? "" : ",") + members[i].client;
      }
    }
  }
  ~RestoredCluster() { Stop(); }

  void Start() {
    for (size_t i = 0; i < members_.size(); ++i) {
      const NewMember& m = members_[i];
      ASSERT_TRUE(servers_[i].Start(
          {EtcdBinary(), "--name", m.name, "--data-dir", dir_ + "/" + m.name + ".etcd",
           "--listen-client-urls", m.client, "--advertise-client-urls", m.client,
           "--listen-peer-urls", m.peer, "--initial-advertise-peer-urls", m.peer},
          dir_ + "/" + m.name + ".log"));
    }
    CommandResult health;
    for (int attempt = 0; attempt < 100; ++attempt) {
      health = RunKetcd({"--endpoints", voters_, "endpoint", "health", "--dial-timeout", "1s"});
      if (health.exit_code == 0) return;
      bool all_running = true;
      for (auto& server : servers_) all_running = all_running && server.running();
      if (!all_running) break;  // a member exited: its log says why
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::string logs;
    for (const NewMember& m : members_) {
      logs += "--- " + m.name + "\n" + TailOfFile(dir_ + "/" + m.name + ".log", 12);
    }
    FAIL() << Describe(health) << "\n" << logs;
  }
  void Stop() {
    for (auto& server : servers_) server.Stop();
  }
  CommandResult Ketcd(const std::vector<std::string>& args) const {
    return RunKetcd(Args({"--endpoints", endpoints_}, args));
  }

 private:
  std::vector<NewMember> members_;
  std::string dir_, endpoints_, voters_;
  std::vector<BackgroundProcess> servers_;
};

std::set<std::string> KeysOfSnapshot(const std::string& file) {
  auto listed = RunKetcd({"get", "/", "--prefix", "--keys-only", "--snapshot", file});
  EXPECT_EQ(listed.exit_code, 0) << Describe(listed);
  std::set<std::string> set;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) set.insert(line);
  }
  return set;
}

TEST_F(RestoreTest, AllMembersStartAsAHealthyClusterWithEtcdsIdentityAndReboot) {
  const std::string out = RestoreAll({"-w", "json"});
  // The keyspace as it was when the snapshot was taken.
  auto before = RunKetcd(Args(cluster_->ConnectionFlags(), {"get", "/", "--prefix", "-w", "json"}));
  ASSERT_EQ(before.exit_code, 0);

  RestoredCluster restored_cluster(members_, out);
  ASSERT_NO_FATAL_FAILURE(restored_cluster.Start());
  auto list = restored_cluster.Ketcd({"member", "list", "-w", "json"});
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
  auto after = restored_cluster.Ketcd({"get", "/", "--prefix", "-w", "json"});
  ASSERT_EQ(after.exit_code, 0);
  EXPECT_TRUE(json::parse(after.out)["kvs"] == json::parse(before.out)["kvs"]);
  auto put = restored_cluster.Ketcd({"put", "/registry/things/new", "v"});
  EXPECT_EQ(put.exit_code, 0) << Describe(put);

  // A second boot: the members start again from what they wrote themselves.
  restored_cluster.Stop();
  // Their logs, now with etcd's own records after ours, read whole: CRC
  // chain, frames and padding as etcd's decoder checks them.
  for (const auto& m : members_) {
    auto scanned = restore::ScanWal(out + "/" + m.name + ".etcd/member/wal",
                                    [](const restore::WalRecord&) { return Status::Ok(); });
    ASSERT_TRUE(scanned.ok()) << scanned.status().message();
    EXPECT_FALSE(scanned->damage.has_value()) << scanned->damage->Describe();
    EXPECT_GT(scanned->records, 8u) << m.name;
  }
  ASSERT_NO_FATAL_FAILURE(restored_cluster.Start());
  const std::string fresh = out + "/fresh.db";
  auto saved = restored_cluster.Ketcd({"snapshot", "save", fresh});
  ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
  std::set<std::string> expected = KeysOfSnapshot(snapshot_);
  EXPECT_EQ(expected.size(), 119u);
  expected.insert("/registry/things/new");
  EXPECT_EQ(KeysOfSnapshot(fresh), expected);
}

// etcdutl makes every member a voter; --initial-learners keeps a learner
// one, and it can be promoted once it has caught up.
TEST_F(RestoreTest, LearnerStaysALearnerAndCanBePromoted) {
  const std::string out = RestoreAll({"--initial-learners", "n3"});
  EXPECT_NE(restore_output_.find("learner n3"), std::string::npos) << restore_output_;
  RestoredCluster restored_cluster(members_, out, "n3");
  ASSERT_NO_FATAL_FAILURE(restored_cluster.Start());
  auto learners = [&] {
    auto list = restored_cluster.Ketcd({"member", "list", "-w", "json"});
    EXPECT_EQ(list.exit_code, 0) << Describe(list);
    std::set<std::string> names;
    const json listed = json::parse(list.out);
    for (const auto& member : listed["members"]) {
      if (member.value("isLearner", false)) names.insert(member["name"]);
    }
    return names;
  };
  EXPECT_EQ(learners(), std::set<std::string>{"n3"});
  const std::string n3 = HexId(cluster::MemberId({members_[2].peer}, "restored-token"));
  CommandResult promoted;
  for (int attempt = 0; attempt < 50; ++attempt) {  // until it is in sync
    promoted = restored_cluster.Ketcd({"member", "promote", n3});
    if (promoted.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(promoted.exit_code, 0) << Describe(promoted);
  EXPECT_TRUE(learners().empty());
  auto put = restored_cluster.Ketcd({"put", "/registry/things/after-promotion", "v"});
  EXPECT_EQ(put.exit_code, 0) << Describe(put);
  // Refused: a learner not in the cluster, or no voter left.
  for (const char* learners_flag : {"n9", "n1,n2,n3"}) {
    auto refused = RunKetcd(Args({"snapshot", "restore", snapshot_, "--all-members", "--output-dir",
                                  dir_ + "/refused", "--initial-learners", learners_flag},
                                 RestoreFlags()));
    EXPECT_EQ(refused.exit_code, 2) << Describe(refused);
  }
}

// etcdutl 3.5's --bump-revision/--mark-compacted: the restored cluster's
// revision jumps past the snapshot's and older revisions read as compacted.
// Every file a restore writes is fsynced before it is renamed into place,
// and every directory that names one afterwards: after a power loss the
// data dirs are whole or absent (members 2..N included, whose db is a copy).
TEST_F(RestoreTest, EveryFileAndDirectoryItWritesIsSynced) {
  if (RunCommand({"strace", "-V"}).exit_code != 0) GTEST_SKIP() << "strace is not installed (scripts/install-deps)";
  const std::string out = dir_ + "/restored", trace = dir_ + "/restore.strace";
  // -ff: one file per thread (restore writes members and hashes on several
  // threads), so no call is split into "unfinished" and "resumed" lines.
  auto restored = RunCommand(Args({"strace", "-ff", "-y", "-e", "trace=fsync,fdatasync", "-o", trace, KETCD_BINARY,
                                   "snapshot", "restore", snapshot_, "--all-members", "--output-dir", out},
                                  RestoreFlags()),
                             {.env = {{"ASAN_OPTIONS", "detect_leaks=0"}}});  // LeakSanitizer cannot run traced
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
  std::string synced;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (entry.path().filename().string().rfind("restore.strace.", 0) == 0) synced += ReadFileBytes(entry.path());
  }
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

// A compressed snapshot as k3s/RKE2 write it (deflated in a zip archive)
// restores to a data dir etcd starts from, holding what the plain one holds.
TEST_F(RestoreTest, AZippedSnapshotRestoresToADataDirEtcdStartsFrom) {
  std::ifstream in(snapshot_, std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string zip = dir_ + "/etcd-snapshot-node1-1700000000.zip";
  std::ofstream(zip, std::ios::binary) << ZipOf({{"etcd-snapshot-node1-1700000000", content}}, true);
  const std::string data_dir = dir_ + "/from-zip";
  const NewMember& m = members_[0];
  auto restored = RunKetcd({"snapshot", "restore", zip, "--name", m.name, "--initial-cluster", m.name + "=" + m.peer,
                            "--initial-advertise-peer-urls", m.peer, "--data-dir", data_dir});
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
  BackgroundProcess server;
  ASSERT_TRUE(server.Start({EtcdBinary(), "--name", m.name, "--data-dir", data_dir, "--listen-client-urls", m.client,
                            "--advertise-client-urls", m.client, "--listen-peer-urls", m.peer,
                            "--initial-advertise-peer-urls", m.peer},
                           data_dir + ".log"));
  CommandResult count;
  for (int attempt = 0; attempt < 100; ++attempt) {
    count = RunKetcd({"--endpoints", m.client, "get", "/registry/", "--prefix", "--count-only", "-w", "json",
                      "--dial-timeout", "1s"});
    if (count.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(count.out.find("\"count\":119"), std::string::npos) << Describe(count);
  server.Stop();
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
  // A flipped byte inside a value: only the trailer tells, and it is
  // hashed while the data dirs are written; none may appear, nor their
  // staging dirs stay.
  bytes = ReadFileBytes(snapshot_);
  const size_t value = bytes.find(std::string(900, 'c'));
  ASSERT_NE(value, std::string::npos);
  bytes[value + 100] = 'x';
  const std::string altered = dir_ + "/altered.db";
  std::ofstream(altered, std::ios::binary) << bytes;
  for (const auto& extra : {std::vector<std::string>{"--data-dir", data_dir},
                            std::vector<std::string>{"--all-members", "--output-dir", dir_ + "/altered"}}) {
    auto trailer = RunKetcd(Args(Args({"snapshot", "restore", altered, "--name", "n1",
                                       "--initial-advertise-peer-urls", members_[0].peer},
                                      RestoreFlags()),
                                 extra));
    EXPECT_EQ(trailer.exit_code, 1) << Describe(trailer);
    EXPECT_NE(trailer.err.find("sha256 trailer does not match"), std::string::npos) << trailer.err;
  }
  EXPECT_FALSE(fs::exists(data_dir));
  EXPECT_FALSE(fs::exists(data_dir + ".ketcd-restoring"));
  if (fs::exists(dir_ + "/altered")) {
    for (const auto& entry : fs::directory_iterator(dir_ + "/altered")) ADD_FAILURE() << "left behind: " << entry.path();
  }
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
