// Backups to real object stores started by the test (s3rver for S3,
// Azurite for Azure Blob): run, list, prune, restore; wrong credentials; the
// store killed mid-upload (retried: the backup completes; or it stays down:
// no partial backup listed); a tampered object refused.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "backup/backup_config.h"
#include "backup/backup_job.h"
#include "backup/catalog.h"
#include "backup/chain_check.h"
#include "backup/compact_chain.h"
#include "backup/configmap_cluster.h"
#include "backup/delta_recorder.h"
#include "backup/keyspace_oracle.h"
#include "backup/point_in_time.h"
#include "backup/destination.h"
#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/object_store.h"

namespace ketcd::testing {
namespace {

class ObjectStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    auto cluster = StartClusterWithConfigMaps(200);
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    dir_ = cluster_->dir();
    auto store = ObjectStore::Start(GetParam(), dir_ + "/store");
    if (!store.ok() && store.status().code() == ErrorCode::kNotFound) GTEST_SKIP() << store.status().message();
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
    ASSERT_TRUE(client.ok());
    // Incompressible values: the object spans several upload parts.
    std::mt19937_64 random(42);
    for (int i = 0; i < 12; ++i) {
      std::string value(1 << 20, '\0');
      for (char& c : value) c = static_cast<char>(random());
      etcd::pb::PutRequest put;
      put.set_key("/registry/secrets/default/blob-" + std::to_string(i));
      put.set_value(value);
      ASSERT_TRUE((*client)->Put(put).ok());
    }
    std::ofstream(dir_ + "/backup.key") << std::string(64, 'e') << "\n";
    ::chmod((dir_ + "/backup.key").c_str(), 0600);
    WriteConfig("backup.yaml", Credentials::kValid);
    WriteConfig("wrong.yaml", Credentials::kWrong);
  }
  void WriteConfig(const std::string& name, Credentials credentials) {
    std::ofstream(dir_ + "/" + name) << "name: prod\nupload_attempts: 4\nretry_pause: 1s\nencryption:\n  key_file: " << dir_ << "/backup.key\n"
                                     << "destinations:\n" << store_->DestinationYaml("etcd/prod", credentials)
                                     << "retention:\n  keep_last: 2\n";
  }
  CommandResult Backup(const std::vector<std::string>& args, const std::string& config = "backup.yaml") {
    CommandOptions options;
    options.timeout = std::chrono::minutes(3);
    return RunKetcd(Args(cluster_->ConnectionFlags(), Args({"backup"}, Args(args, {"--config", dir_ + "/" + config}))),
                    options);
  }
  // Runs a backup while `during` acts on the store once the upload is
  // under way (more than 3 MB received).
  CommandResult BackupWhile(const std::function<void()>& during) {
    CommandResult result;
    const long before = store_->BytesRead();
    std::thread run([&] { result = Backup({"run"}); });
    bool acted = false;
    for (int i = 0; i < 3000 && !acted; ++i) {
      if (store_->BytesRead() - before > (3 << 20)) {
        during();
        acted = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    run.join();
    EXPECT_TRUE(acted) << "the upload never got under way: " << Describe(result);
    return result;
  }
  // The store as ketcd sees it, from the destination entry of backup.yaml.
  std::unique_ptr<backup::Destination> OpenStore() {
    std::ifstream yaml(dir_ + "/backup.yaml");
    backup::DestinationConfig config;
    config.url = store_->url("etcd/prod");
    for (std::string line; std::getline(yaml, line);) {
      const size_t colon = line.find(": ");
      if (line.starts_with("    ") && colon != std::string::npos) {
        config.settings[line.substr(4, colon - 4)] = line.substr(colon + 2);
      }
    }
    auto destination = backup::OpenDestination(config);
    EXPECT_TRUE(destination.ok()) << destination.status().message();
    return destination.ok() ? std::move(*destination) : nullptr;
  }
  int ListedBackups() {
    auto list = Backup({"list", "-w", "json"});
    EXPECT_EQ(list.exit_code, 0) << Describe(list);
    return static_cast<int>(std::count(list.out.begin(), list.out.end(), '{'));
  }
  void ExpectRestores() {
    const std::string data_dir = dir_ + "/restored-" + std::to_string(restores_++) + ".etcd";
    auto restored = Backup({"restore", "--data-dir", data_dir});
    ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
    auto count = RunKetcd({"get", "--data-dir", data_dir, "/registry/", "--prefix", "--keys-only", "-w", "json"});
    EXPECT_TRUE(Contains(count.out, "\"count\":212")) << count.out.substr(0, 300);
  }

  std::unique_ptr<EtcdCluster> cluster_;
  // backup.yaml with 300 ms segments, a full backup, and a recorder
  // continuing it; `log_` collects what they say.
  void StartChain() {
    auto config = backup::LoadBackupConfig(dir_ + "/backup.yaml");
    ASSERT_TRUE(config.ok()) << config.status().message();
    config_ = *config;
    config_.delta_interval = std::chrono::milliseconds(300);
    config_.work_dir = dir_;
    auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
    auto full = backup::RunBackup(*client_, config_, std::time(nullptr), Say());
    ASSERT_TRUE(full.ok() && full->complete()) << (full.ok() ? full->FailureSummary() : full.status().message());
    full_ = *full;
    auto recorder = backup::DeltaRecorder::Start(*client_, config_, full_.manifest, full_.stored, Say(), nullptr);
    ASSERT_TRUE(recorder.ok()) << recorder.status().message();
    recorder_ = std::move(*recorder);
  }
  std::function<void(const std::string&)> Say() {
    return [this](const std::string& line) { log_ += line + "\n"; };
  }
  void Record(std::chrono::milliseconds duration) {
    recorder_->Record(backup::DeltaRecorder::Clock::now() + duration, stop_);
  }

  std::unique_ptr<ObjectStore> store_;
  std::string dir_;
  backup::BackupConfig config_;
  std::unique_ptr<etcd::EtcdClient> client_;
  backup::BackupOutcome full_;
  std::unique_ptr<backup::DeltaRecorder> recorder_;
  std::atomic<bool> stop_{false};
  std::string log_;
  int restores_ = 0;
};

TEST_P(ObjectStoreTest, RunListPruneRestoreVerify) {
  for (int run = 0; run < 3; ++run) {
    if (run) std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // names have second precision
    auto result = Backup({"run"});
    ASSERT_EQ(result.exit_code, 0) << Describe(result);
    EXPECT_TRUE(Contains(result.out, "stored in " + store_->url("etcd/prod"))) << result.out;
    if (run == 2) EXPECT_TRUE(Contains(result.out, "pruned " + store_->url("etcd/prod"))) << result.out;
  }
  EXPECT_EQ(ListedBackups(), 2);
  // Exactly two objects and two manifests are left in the store.
  auto names = OpenStore()->List();
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(names->size(), 4u);
  ExpectRestores();
  auto verified = Backup({"verify"});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  EXPECT_TRUE(Contains(verified.out, "verified")) << verified.out;
}

TEST_P(ObjectStoreTest, WrongCredentialsAreAClearError) {
  auto result = Backup({"run"}, "wrong.yaml");
  EXPECT_EQ(result.exit_code, 1) << Describe(result);
  EXPECT_TRUE(Contains(result.err, "HTTP 403")) << result.err;
  EXPECT_TRUE(Contains(result.err, "(check the ")) << result.err;
  auto list = Backup({"list"}, "wrong.yaml");
  EXPECT_NE(list.exit_code, 0) << Describe(list);
  EXPECT_TRUE(Contains(list.err, store_->url("etcd/prod") + ": GET")) << list.err;
  EXPECT_EQ(ListedBackups(), 0);
}

TEST_P(ObjectStoreTest, AzureSasTokenInsteadOfTheKey) {
  if (GetParam() != StoreKind::kAzureBlob) GTEST_SKIP() << "SAS tokens are Azure Blob's";
  WriteConfig("sas.yaml", Credentials::kSasToken);
  WriteConfig("wrong-sas.yaml", Credentials::kWrongSasToken);
  auto result = Backup({"run"}, "sas.yaml");
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto list = Backup({"list", "-w", "json"}, "sas.yaml");
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '{'), 1) << Describe(list);
  auto verified = Backup({"verify"}, "sas.yaml");
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  auto refused = Backup({"list"}, "wrong-sas.yaml");
  EXPECT_NE(refused.exit_code, 0) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "HTTP 403")) << refused.err;
}

TEST_P(ObjectStoreTest, StoreKilledMidUploadAndBackIsRetried) {
  auto result = BackupWhile([&] {
    store_->Kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ASSERT_TRUE(store_->Restart().ok());
  });
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(ListedBackups(), 1);
  ExpectRestores();
}

TEST_P(ObjectStoreTest, StoreThatStaysDownLeavesNoPartialBackup) {
  auto first = Backup({"run"});
  ASSERT_EQ(first.exit_code, 0) << Describe(first);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto result = BackupWhile([&] { store_->Kill(); });
  EXPECT_EQ(result.exit_code, 1) << Describe(result);
  EXPECT_TRUE(Contains(result.err, store_->url("etcd/prod"))) << result.err;
  ASSERT_TRUE(store_->Restart().ok());
  EXPECT_EQ(ListedBackups(), 1);  // the first only
  ExpectRestores();
}

TEST_P(ObjectStoreTest, TamperedObjectIsRefused) {
  auto result = Backup({"run"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  // Rewrite the stored object with one byte flipped, through the store's API.
  auto destination = OpenStore();
  auto names = destination->List();
  ASSERT_TRUE(names.ok()) << names.status().message();
  std::string object;
  for (const auto& name : *names) {
    if (name.ends_with(".db.zst.enc")) object = name;
  }
  ASSERT_FALSE(object.empty());
  struct Collect : backup::ByteSink {
    Status Write(std::string_view bytes) override { return text.append(bytes), Status::Ok(); }
    Status Finish() override { return Status::Ok(); }
    std::string text;
  } bytes;
  ASSERT_TRUE(destination->Read(object, bytes).ok());
  bytes.text[bytes.text.size() / 3] ^= 0x10;
  auto sink = destination->Create(object);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write(bytes.text).ok());
  ASSERT_TRUE((*sink)->Finish().ok());

  auto refused = Backup({"restore", "--data-dir", dir_ + "/tampered.etcd"});
  EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
  // Read in one pass: the encryption layer notices before the object's sha256.
  EXPECT_TRUE(Contains(refused.err, "fails authentication")) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/tampered.etcd"));
}

// Continuous backup into the store, encrypted: a chain of 300 ms segments
// while a writer runs, then points in time fetched back from the store
// equal etcd's keyspace at those revisions.
TEST_P(ObjectStoreTest, DeltaSegmentsAndPointInTimeRestore) {
  ASSERT_NO_FATAL_FAILURE(StartChain());
  std::atomic<bool> stop_writing{false};
  int64_t lease = 0;
  std::thread writer(WriteMixed, cluster_->ClientConfig(), std::cref(stop_writing), &lease);
  Record(std::chrono::seconds(2));
  stop_writing = true;
  writer.join();
  const int64_t last = CurrentRevision(*client_);
  recorder_->Finish(last, std::chrono::seconds(10), stop_);
  ASSERT_EQ(recorder_->stored_revision(), last) << log_;

  const int64_t first = full_.manifest.revision;
  std::mt19937 random(3);
  for (int64_t at : {first + 1 + static_cast<int64_t>(random() % (last - first)), (first + last) / 2, last}) {
    const std::string path = dir_ + "/at-" + std::to_string(at) + ".db";
    auto built = backup::WriteSnapshotAt(config_, {backup::RestorePoint::Kind::kRevision, at, 0}, path, Say());
    ASSERT_TRUE(built.ok()) << built.status().message();
    EXPECT_GE(built->segments, 1u);
    EXPECT_TRUE(SnapshotKeyspace(path) == EtcdAt(*client_, at)) << "at revision " << at;
  }

  // backup verify and backup compact read the same pieces from the store.
  auto chain = backup::ChainToCompact(config_, "");
  ASSERT_TRUE(chain.ok()) << chain.status().message();
  auto verified = backup::VerifyChain(config_, *chain, Say());
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->point.revision, last);
  auto merged = backup::CompactChain(config_, *chain, 0, Say());
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  ASSERT_TRUE(merged->complete()) << merged->FailureSummary();
  EXPECT_TRUE(merged->manifest.encrypted);
  const std::string fetched = dir_ + "/merged.db";
  ASSERT_TRUE(backup::FetchBackup(config_, merged->manifest.name, fetched).ok());
  EXPECT_TRUE(SnapshotKeyspace(fetched) == EtcdAt(*client_, last));
}

// The store down for a while: segments wait in the spool and reach it, in
// order, once it is back (the chain has no gap); a spool too small for the
// outage ends the chain instead.
TEST_P(ObjectStoreTest, SegmentsWaitInTheSpoolWhileTheStoreIsDown) {
  ASSERT_NO_FATAL_FAILURE(StartChain());
  std::atomic<bool> stop_writing{false};
  int64_t lease = 0;
  std::thread writer(WriteMixed, cluster_->ClientConfig(), std::cref(stop_writing), &lease);
  Record(std::chrono::milliseconds(1000));
  store_->Kill();
  Record(std::chrono::milliseconds(2000));
  EXPECT_TRUE(Contains(log_, "kept in the spool")) << log_;
  EXPECT_FALSE(recorder_->ended()) << log_;
  ASSERT_TRUE(store_->Restart().ok());
  Record(std::chrono::milliseconds(1500));
  stop_writing = true;
  writer.join();
  const int64_t last = CurrentRevision(*client_);
  recorder_->Finish(last, std::chrono::seconds(10), stop_);
  EXPECT_EQ(recorder_->stored_revision(), last) << log_;

  auto listed = backup::ListBackups(config_);
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  const std::vector<backup::Chain> chains = backup::GroupChains(*listed);
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].last_revision, last) << log_;
  EXPECT_EQ(chains[0].detached, 0u);
  const int64_t middle = (full_.manifest.revision + last) / 2;
  auto built = backup::WriteSnapshotAt(config_, {backup::RestorePoint::Kind::kRevision, middle, 0},
                                       dir_ + "/middle.db", Say());
  ASSERT_TRUE(built.ok()) << built.status().message();
  EXPECT_TRUE(SnapshotKeyspace(dir_ + "/middle.db") == EtcdAt(*client_, middle));

  // A spool of 1 MiB, an outage with 3 MiB of changes: the chain ends.
  config_.delta_spool_mib = 1;
  auto small = backup::DeltaRecorder::Start(*client_, config_, full_.manifest, full_.stored, Say(), nullptr);
  ASSERT_TRUE(small.ok());
  (*small)->Resume(chains[0].segments.back().name, last);
  store_->Kill();
  for (int i = 0; i < 3; ++i) {
    etcd::pb::PutRequest put;
    put.set_key("/registry/configmaps/default/big-" + std::to_string(i));
    put.set_value(std::string(1 << 20, static_cast<char>('a' + i)));
    ASSERT_TRUE(client_->Put(put).ok());
  }
  (*small)->Record(backup::DeltaRecorder::Clock::now() + std::chrono::seconds(3), stop_);
  EXPECT_TRUE((*small)->ended()) << log_;
  EXPECT_EQ((*small)->chain_end(), "upload-failed") << log_;
  EXPECT_TRUE(Contains(log_, "delta_spool_mib")) << log_;
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjectStoreTest, ::testing::Values(StoreKind::kS3, StoreKind::kAzureBlob),
                         [](const auto& info) { return info.param == StoreKind::kS3 ? "S3" : "AzureBlob"; });

}  // namespace
}  // namespace ketcd::testing
