// ketcd snapshot save|status|verify|diff and offline reads, against
// snapshots saved from real etcd (one and three members), compared with
// etcdctl (3.4) and etcdutl (3.5) on the same files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bolt/database.h"
#include "bolt/format.h"
#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SnapshotCommandsTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    auto cluster = EtcdCluster::Start({.members = GetParam()});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    dir_ = fs::path(cluster_->dir());
  }

  CommandResult Ketcd(const std::vector<std::string>& args) {
    return RunKetcd(Args(cluster_->ConnectionFlags(), args));
  }
  void Etcdctl(const std::vector<std::string>& args) {
    auto result = RunEtcdctl(Args(cluster_->ConnectionFlags(), args));
    ASSERT_EQ(result.exit_code, 0) << Describe(result);
  }

  // Keys whose history has updates, deletions and a compaction; enough of
  // them (about 600 kB) for branch pages and several leaves.
  void Seed() {
    std::vector<std::pair<std::string, std::string>> keys;
    for (int i = 0; i < 300; ++i) {
      char key[64];
      std::snprintf(key, sizeof key, "/registry/configmaps/ns%d/cm%03d", i % 3, i);
      keys.emplace_back(key, std::string(1500 + i, static_cast<char>('a' + i % 26)));
    }
    keys.emplace_back("/registry/configmaps/ns0/cm000", "updated");
    Status put = cluster_->Put(keys);
    ASSERT_TRUE(put.ok()) << put.message();
    // 3.6+ snapshots are read with 3.6's rules once the storage version is
    // in them: every member's, before any save.
    if (EtcdVersion() != "3.4" && EtcdVersion() != "3.5") {
      Status written = cluster_->WaitForStorageVersion(EtcdVersion() + ".0");
      ASSERT_TRUE(written.ok()) << written.message();
    }
    Etcdctl({"del", "/registry/configmaps/ns1/cm001"});
    Etcdctl({"compact", "200"});
    Etcdctl({"put", "/registry/configmaps/ns2/cm002", "updated after compaction"});
  }

  std::string Save(const std::string& name) {
    const std::string path = (dir_ / name).string();
    auto saved = Ketcd({"snapshot", "save", path});
    EXPECT_EQ(saved.exit_code, 0) << Describe(saved);
    EXPECT_NE(saved.out.find("Snapshot saved at " + path), std::string::npos);
    return path;
  }

  std::unique_ptr<EtcdCluster> cluster_;
  fs::path dir_;
};

// The fields etcdctl/etcdutl print (ketcd's -w json adds more).
json StatusFields(const std::string& out) {
  const json status = json::parse(out);
  json fields = json::object();
  for (const char* key : {"hash", "revision", "totalKey", "totalSize", "version"}) {
    if (status.contains(key)) fields[key] = status[key];
  }
  return fields;
}

// Against that version's own tools: etcdctl saves, and its documented
// status tool (etcdctl 3.4, etcdutl 3.5+) reads both files.
TEST_P(SnapshotCommandsTest, StatusMatchesThatVersionsEtcdctlAndEtcdutl) {
  Seed();
  const std::string ours = Save("ketcd.db");
  const std::string theirs = (dir_ / "etcdctl.db").string();
  // etcdctl saves from exactly one endpoint.
  auto saved = RunEtcdctl({"snapshot", "save", theirs, "--endpoints", cluster_->ClientUrl(0)});
  ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
  const std::string tool = EtcdSnapshotTool();
  for (const std::string& file : {ours, theirs}) {
    auto ketcd = RunKetcd({"snapshot", "status", file, "-w", "json"});
    ASSERT_EQ(ketcd.exit_code, 0) << Describe(ketcd);
    auto reference = RunEtcdTool(tool, {"snapshot", "status", file, "-w", "json"});
    ASSERT_EQ(reference.exit_code, 0) << Describe(reference);
    EXPECT_EQ(StatusFields(ketcd.out), json::parse(reference.out)) << file;
    // The simple format is the tool's, line for line.
    auto simple = RunKetcd({"snapshot", "status", file});
    auto reference_simple = RunEtcdTool(tool, {"snapshot", "status", file});
    EXPECT_EQ(simple.out, reference_simple.out);
  }
  // Both saves hold the same data (taken at the same revision).
  auto a = RunKetcd({"snapshot", "status", ours, "-w", "json"});
  auto b = RunKetcd({"snapshot", "status", theirs, "-w", "json"});
  EXPECT_EQ(json::parse(a.out)["revision"], json::parse(b.out)["revision"]);
  EXPECT_EQ(json::parse(a.out)["totalKey"], json::parse(b.out)["totalKey"]);
  EXPECT_EQ(json::parse(a.out)["compactedRevision"], 200);
  auto verified = RunKetcd({"snapshot", "verify", ours});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  EXPECT_NE(verified.out.find("sha256 trailer: matches"), std::string::npos) << verified.out;
}

TEST_P(SnapshotCommandsTest, OfflineReadsEqualOnlineReadsAtTheSnapshotRevision) {
  Seed();
  const std::string snapshot = Save("s.db");
  auto kvs = [](const CommandResult& result) {
    EXPECT_EQ(result.exit_code, 0) << Describe(result);
    json document = json::parse(result.out);
    return json{{"kvs", document["kvs"]}, {"count", document["count"]},
                {"more", document.value("more", false)}};
  };
  const std::vector<std::vector<std::string>> reads = {
      {"get", "/registry/", "--prefix", "-w", "json"},
      {"get", "/registry/configmaps/ns1/", "--prefix", "--limit", "7", "-w", "json"},
      {"get", "/registry/configmaps/ns2/cm002", "-w", "json"},
      {"get", "/registry/configmaps/ns1/cm001", "-w", "json"},  // deleted
      {"get", "/registry/", "--prefix", "--keys-only", "--rev", "250", "-w", "json"},
      {"get", "/registry/configmaps/ns0/cm000", "--rev", "200", "-w", "json"},
      {"get", "/registry/", "--prefix", "--count-only", "-w", "json"},
  };
  for (const auto& read : reads) {
    auto online = Ketcd(read);
    auto offline = RunKetcd(Args(read, {"--snapshot", snapshot}));
    EXPECT_TRUE(kvs(offline) == kvs(online))
        << read[1] << ": offline " << offline.out.substr(0, 300) << "\nonline " << online.out.substr(0, 300);
  }
  // Revisions before the compaction are gone, offline as online.
  auto compacted = RunKetcd({"get", "/registry/", "--prefix", "--rev", "100", "--snapshot", snapshot});
  EXPECT_EQ(compacted.exit_code, 1);
  EXPECT_NE(compacted.err.find("compacted"), std::string::npos) << compacted.err;

  // dump, ls and history print the same from a snapshot and from the cluster.
  for (const std::vector<std::string> command :
       {std::vector<std::string>{"dump", "/registry/", "-o", "jsonl"},
        std::vector<std::string>{"ls", "/registry/", "--namespaces", "-o", "json"},
        std::vector<std::string>{"ls", "/registry/configmaps/ns1/", "-o", "json"},
        std::vector<std::string>{"history", "/registry/configmaps/ns2/cm002", "-o", "json"}}) {
    auto online = Ketcd(command);
    ASSERT_EQ(online.exit_code, 0) << Describe(online);
    auto offline = RunKetcd(Args(command, {"--snapshot", snapshot}));
    ASSERT_EQ(offline.exit_code, 0) << Describe(offline);
    EXPECT_TRUE(offline.out == online.out)
        << command[0] << ": offline " << offline.out.substr(0, 300) << "\nonline " << online.out.substr(0, 300);
  }
}

// snapshot hashkv gives etcd's own HashKV (every member's) at revisions
// below, at and above the compaction, including the deletion's.
TEST_P(SnapshotCommandsTest, HashKvEqualsEtcdsHashKvAtEachRevision) {
  Seed();
  const std::string snapshot = Save("s.db");
  auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
  ASSERT_TRUE(client.ok()) << client.status().message();
  etcd::pb::RangeRequest probe;
  probe.set_key("/");
  probe.set_limit(1);
  auto current = (*client)->Range(probe);
  ASSERT_TRUE(current.ok());
  const int64_t last = current->header().revision();
  for (int64_t revision : {int64_t{0}, int64_t{200}, int64_t{201}, int64_t{250}, last - 1, last}) {
    auto offline = RunKetcd({"snapshot", "hashkv", snapshot, "--rev", std::to_string(revision), "-w", "json"});
    ASSERT_EQ(offline.exit_code, 0) << Describe(offline);
    const json ours = json::parse(offline.out);
    EXPECT_EQ(ours["compactRevision"], 200);
    EXPECT_EQ(ours["hashRevision"], revision == 0 ? last : revision);
    for (int member = 0; member < cluster_->size(); ++member) {
      auto theirs = (*client)->HashKV(static_cast<size_t>(member), revision);
      // etcd 3.4 refuses the compacted revision itself (3.5+ hash it).
      if (EtcdVersion() == "3.4" && revision == 200 && !theirs.ok()) continue;
      ASSERT_TRUE(theirs.ok()) << theirs.status().message();
      EXPECT_EQ(ours["hash"].get<uint32_t>(), theirs->hash()) << "revision " << revision << ", member " << member;
    }
  }
  auto compacted = RunKetcd({"snapshot", "hashkv", snapshot, "--rev", "150"});
  EXPECT_NE(compacted.exit_code, 0);
  EXPECT_NE(compacted.err.find("compacted"), std::string::npos) << compacted.err;
}

TEST_P(SnapshotCommandsTest, DataDirOfAStoppedMemberReadsLikeTheCluster) {
  Seed();
  auto online = Ketcd({"get", "/registry/", "--prefix", "-w", "json"});
  ASSERT_EQ(online.exit_code, 0);
  // A killed etcd may not have committed its last writes to the backend
  // (they are in the WAL); a stopped one has.
  cluster_->StopMember(0);
  const std::string member_dir = cluster_->DataDir(0);
  auto offline = RunKetcd({"get", "/registry/", "--prefix", "-w", "json", "--data-dir", member_dir});
  ASSERT_EQ(offline.exit_code, 0) << Describe(offline);
  EXPECT_TRUE(json::parse(offline.out)["kvs"] == json::parse(online.out)["kvs"])
      << "offline " << offline.out.size() << " bytes, online " << online.out.size();
  auto verified = RunKetcd({"snapshot", "verify", member_dir + "/member/snap/db"});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  auto not_a_dir = RunKetcd({"get", "/", "--prefix", "--data-dir", dir_.string()});
  EXPECT_EQ(not_a_dir.exit_code, 2);
  EXPECT_NE(not_a_dir.err.find("not an etcd data dir"), std::string::npos);
}

TEST_P(SnapshotCommandsTest, DiffShowsAddedRemovedAndChangedKeys) {
  Etcdctl({"put", "/registry/configmaps/ns/kept", "same"});
  Etcdctl({"put", "/registry/configmaps/ns/changed", R"({"kind":"ConfigMap","data":{"a":"1"}})"});
  Etcdctl({"put", "/registry/configmaps/ns/removed", "x"});
  const std::string before = Save("before.db");
  Etcdctl({"put", "/registry/configmaps/ns/changed", R"({"kind":"ConfigMap","data":{"a":"2"}})"});
  Etcdctl({"del", "/registry/configmaps/ns/removed"});
  Etcdctl({"put", "/registry/configmaps/ns/added", "y"});
  const std::string after = Save("after.db");
  auto diff = RunKetcd({"snapshot", "diff", before, after, "-o", "json"});
  ASSERT_EQ(diff.exit_code, 0) << Describe(diff);
  json document = json::parse(diff.out);
  EXPECT_EQ(document["added"], json::array({"/registry/configmaps/ns/added"}));
  EXPECT_EQ(document["removed"], json::array({"/registry/configmaps/ns/removed"}));
  ASSERT_EQ(document["changed"].size(), 1u);
  EXPECT_EQ(document["changed"][0]["key"], "/registry/configmaps/ns/changed");
  EXPECT_EQ(document["changed"][0]["changes"],
            json::parse(R"([{"op":"replace","path":"/data/a","value":"2"}])"));
  auto text = RunKetcd({"snapshot", "diff", before, after});
  EXPECT_NE(text.out.find("1 added, 1 removed, 1 changed"), std::string::npos) << text.out;
}

TEST_P(SnapshotCommandsTest, SaveToStdoutAndFailedSavesLeaveNoFile) {
  Etcdctl({"put", "k", "v"});
  auto streamed = Ketcd({"snapshot", "save", "-"});
  ASSERT_EQ(streamed.exit_code, 0) << Describe(streamed);
  const std::string file = (dir_ / "from-stdout.db").string();
  std::ofstream(file, std::ios::binary) << streamed.out;
  auto status = RunKetcd({"snapshot", "verify", file});
  EXPECT_EQ(status.exit_code, 0) << Describe(status);

  // --endpoint picks the member to stream from.
  const std::string from_last = (dir_ / "from-last-member.db").string();
  auto pinned = Ketcd({"snapshot", "save", from_last, "--endpoint",
                       cluster_->ClientUrl(cluster_->size() - 1)});
  EXPECT_EQ(pinned.exit_code, 0) << Describe(pinned);
  EXPECT_EQ(RunKetcd({"snapshot", "verify", from_last}).exit_code, 0);
  auto elsewhere = Ketcd({"snapshot", "save", (dir_ / "x.db").string(), "--endpoint",
                          "http://127.0.0.1:" + std::to_string(FreePort()), "--dial-timeout", "1s"});
  EXPECT_EQ(elsewhere.exit_code, 3) << "--endpoint must be the only member used";

  const std::string unwritable = (dir_ / "no-such-dir" / "s.db").string();
  auto failed = Ketcd({"snapshot", "save", unwritable});
  EXPECT_EQ(failed.exit_code, 1) << Describe(failed);
  EXPECT_FALSE(fs::exists(unwritable));

  const std::string unreachable = (dir_ / "unreachable.db").string();
  auto refused = RunKetcd({"snapshot", "save", unreachable, "--endpoints",
                           "http://127.0.0.1:" + std::to_string(FreePort()), "--dial-timeout", "1s"});
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_FALSE(fs::exists(unreachable));
  EXPECT_FALSE(fs::exists(unreachable + ".part"));
}

INSTANTIATE_TEST_SUITE_P(Members, SnapshotCommandsTest, ::testing::Values(1, 3),
                         [](const auto& info) { return std::to_string(info.param) + "Members"; });

// Corruption of each part of a real snapshot: a clear error and a non-zero
// exit from verify and status, never a crash.
class SnapshotCorruptionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cluster = EtcdCluster::Start({.members = 1});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    std::vector<std::pair<std::string, std::string>> keys;
    for (int i = 0; i < 200; ++i) keys.emplace_back("/k/" + std::to_string(i), std::string(2000, 'v'));
    ASSERT_TRUE((*cluster)->Put(keys).ok());
    path_ = new std::string(
        (fs::temp_directory_path() / ("ketcd-corruption-" + std::to_string(getpid()) + ".db"))
            .string());
    auto saved = RunKetcd(Args((*cluster)->ConnectionFlags(), {"snapshot", "save", *path_}));
    ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
    pristine_ = new std::string(ReadFileBytes(*path_));
  }
  static void TearDownTestSuite() {
    if (path_) {
      fs::remove(*path_);
      fs::remove(*path_ + ".bad");
    }
    delete path_;
    delete pristine_;
  }

  // Writes the snapshot with `bytes` at `offset` and returns verify's and
  // status's results.
  std::pair<CommandResult, CommandResult> Damaged(size_t offset, std::string_view bytes,
                                                  size_t truncate_to = 0) {
    std::string content = *pristine_;
    content.replace(offset, bytes.size(), bytes);
    if (truncate_to) content.resize(truncate_to);
    std::ofstream(*path_ + ".bad", std::ios::binary | std::ios::trunc) << content;
    return {RunKetcd({"snapshot", "verify", *path_ + ".bad"}),
            RunKetcd({"snapshot", "status", *path_ + ".bad"})};
  }

  // A branch page of the "key" bucket and its first leaf, found with the
  // reader on the pristine file (free pages hold stale copies, so the pages
  // must be reachable ones).
  std::pair<uint64_t, uint64_t> BranchAndLeaf() {
    auto db = bolt::Database::FromBytes(*pristine_);
    EXPECT_TRUE(db.ok());
    auto bucket = db->Bucket(db->root(), "key");
    EXPECT_TRUE(bucket.ok());
    auto page = db->Page(bucket->root);
    EXPECT_TRUE(page.ok() && (page->flags & bolt::kBranchPage)) << "the key bucket is one page";
    const uint64_t branch = page->id;
    while (page.ok() && (page->flags & bolt::kBranchPage)) {
      page = db->Page(bolt::ReadElement(*page, 0)->child);
    }
    return {branch, page.ok() ? page->id : 0};
  }

  static std::string* path_;
  static std::string* pristine_;
};
std::string* SnapshotCorruptionTest::path_ = nullptr;
std::string* SnapshotCorruptionTest::pristine_ = nullptr;

void ExpectCaught(const std::pair<CommandResult, CommandResult>& results, const std::string& what,
                  bool status_fails = true) {
  const auto& [verify, status] = results;
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  SCOPED_TRACE(what);
  EXPECT_NE((verify.out + verify.err).find(what), std::string::npos) << Describe(verify);
  if (status_fails) {
    EXPECT_EQ(status.exit_code, 1) << Describe(status);
    EXPECT_FALSE(status.err.empty());
  }
}

TEST_F(SnapshotCorruptionTest, EveryKindOfDamageIsReported) {
  const size_t size = pristine_->size();
  ExpectCaught(Damaged(0, "", size / 2), "truncated");
  ExpectCaught(Damaged(bolt::kPageHeaderSize + 20, "\x55"), "meta page 0: checksum mismatch");
  ExpectCaught(Damaged(4096 + bolt::kPageHeaderSize + 20, "\x55"),
               "meta page 1: checksum mismatch");
  const auto [branch, leaf] = BranchAndLeaf();
  ExpectCaught(Damaged(branch * 4096 + bolt::kPageHeaderSize + 8, std::string("\xff\xff\xff", 3)),
               "past the high-water mark");
  ExpectCaught(Damaged(leaf * 4096 + bolt::kPageHeaderSize + 4, std::string("\xff\xff", 2)),
               "points past the end of the page");
  // A flipped bit in a stored value: only the trailer can tell.
  const size_t value = pristine_->find(std::string(2000, 'v'));
  ASSERT_NE(value, std::string::npos);
  ExpectCaught(Damaged(value + 10, "w"), "sha256 trailer does not match", false);
  ExpectCaught(Damaged(size - 5, "\x01"), "sha256 trailer does not match", false);
}

}  // namespace
}  // namespace ketcd::testing
