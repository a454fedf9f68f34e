// Backups end to end on a real etcd into directory destinations: run, list,
// retention, restore (read back offline), verify; a partial upload is never
// listed; a flipped byte in the object, or in its manifest, is refused.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "backup/backup_job.h"
#include "backup/configmap_cluster.h"
#include "backup/restore_backup.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = StartClusterWithConfigMaps(300);
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    dir_ = cluster_->dir();
    std::ofstream(dir_ + "/backup.key") << std::string(64, 'f') << "\n";
    ::chmod((dir_ + "/backup.key").c_str(), 0600);
    std::ofstream(dir_ + "/backup.yaml") << "name: prod\n"
                                         << "encryption:\n  key_file: " << dir_ << "/backup.key\n"
                                         << "destinations:\n  - " << dir_ << "/store-a\n  - dir:" << dir_ << "/store-b\n"
                                         << "retention:\n  keep_last: 2\n";
  }
  CommandResult Backup(const std::vector<std::string>& args) {
    return RunKetcd(Args(cluster_->ConnectionFlags(), Args({"backup"}, Args(args, {"--config", dir_ + "/backup.yaml"}))));
  }
  std::vector<std::string> Files(const std::string& store) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_ + "/" + store)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::string dir_;
};

TEST_F(BackupTest, RunListPruneRestoreVerify) {
  for (int run = 0; run < 3; ++run) {
    if (run) std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // names have second precision
    auto result = Backup({"run"});
    ASSERT_EQ(result.exit_code, 0) << Describe(result);
    EXPECT_TRUE(Contains(result.out, "stored in dir:" + dir_ + "/store-a")) << result.out;
    EXPECT_TRUE(Contains(result.out, "stored in dir:" + dir_ + "/store-b")) << result.out;
    if (run == 2) EXPECT_TRUE(Contains(result.out, "pruned dir:")) << result.out;
  }
  // keep_last 2, in both stores: two objects and two manifests each.
  EXPECT_EQ(Files("store-a").size(), 4u);
  EXPECT_EQ(Files("store-b").size(), 4u);
  auto list = Backup({"list", "-w", "json"});
  ASSERT_EQ(list.exit_code, 0) << Describe(list);
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '{'), 4) << list.out;  // 2 backups x 2 stores
  EXPECT_TRUE(Contains(list.out, "\"encrypted\":true")) << list.out;

  auto restored = Backup({"restore", "--data-dir", dir_ + "/restored.etcd"});
  ASSERT_EQ(restored.exit_code, 0) << Describe(restored);
  auto count = RunKetcd({"get", "--data-dir", dir_ + "/restored.etcd", "/registry/configmaps/", "--prefix", "--keys-only", "-w", "json"});
  ASSERT_EQ(count.exit_code, 0) << Describe(count);
  EXPECT_TRUE(Contains(count.out, "\"count\":300")) << count.out.substr(0, 300);
  auto verified = Backup({"verify"});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  EXPECT_TRUE(Contains(verified.out, "verified")) << verified.out;
}

// Runs within one second take a suffix instead of colliding, and count as
// newer: retention (keep_last 2) keeps the last two of three.
TEST_F(BackupTest, RunsInTheSameSecondGetDistinctNames) {
  auto config = backup::LoadBackupConfig(dir_ + "/backup.yaml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
  ASSERT_TRUE(client.ok()) << client.status().message();
  const int64_t now = 1767323045;  // 2026-01-02T03:04:05Z
  std::vector<std::string> names;
  for (int run = 0; run < 3; ++run) {
    auto outcome = backup::RunBackup(**client, *config, now, [](const std::string&) {});
    ASSERT_TRUE(outcome.ok()) << outcome.status().message();
    ASSERT_TRUE(outcome->complete()) << outcome->FailureSummary();
    names.push_back(outcome->manifest.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"prod-20260102T030405Z", "prod-20260102T030405Z-2",
                                             "prod-20260102T030405Z-3"}));
  EXPECT_EQ(Files("store-a"), (std::vector<std::string>{
                                  "prod-20260102T030405Z-2.db.zst.enc", "prod-20260102T030405Z-2.manifest.json",
                                  "prod-20260102T030405Z-3.db.zst.enc", "prod-20260102T030405Z-3.manifest.json"}));

  // backup verify without the CLI: the newest is fetched, checked and restored.
  auto verified = backup::VerifyBackupRestores(*config, "");
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->name, names.back());
  EXPECT_FALSE(backup::VerifyBackupRestores(*config, "prod-20260102T030405Z").ok());  // pruned
  // backup restore without the CLI: a data dir etcd starts from (restore_test.cc starts them).
  restore::RestoreOptions options;
  options.data_dir = dir_ + "/from-backup.etcd";
  auto restored = backup::RestoreBackup(*config, names[1], options);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->manifest.name, names[1]);
  ASSERT_EQ(restored->restored.members.size(), 1u);
  EXPECT_TRUE(fs::exists(dir_ + "/from-backup.etcd/member/snap/db"));
}

TEST_F(BackupTest, PartialUploadsAreNeverListedAndTamperingIsRefused) {
  auto result = Backup({"run"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  // A partial upload: an object part and an object with no manifest.
  std::ofstream(dir_ + "/store-a/.prod-20990101T000000Z.db.zst.enc.part") << "partial";
  std::ofstream(dir_ + "/store-a/prod-20990101T000000Z.db.zst.enc") << "no manifest";
  auto list = Backup({"list"});
  ASSERT_EQ(list.exit_code, 0) << Describe(list);
  EXPECT_FALSE(Contains(list.out, "2099")) << list.out;

  // Keep only store-a's copy so the damaged one is the one read.
  fs::remove_all(dir_ + "/store-b");
  std::string object;
  for (const auto& name : Files("store-a")) {
    if (name.ends_with(".db.zst.enc") && !Contains(name, "2099")) object = dir_ + "/store-a/" + name;
  }
  ASSERT_FALSE(object.empty());
  const std::string original = ReadFileBytes(object);
  std::string damaged = original;
  damaged[damaged.size() / 2] ^= 0x04;
  std::ofstream(object, std::ios::binary | std::ios::trunc) << damaged;
  // Read in one pass: the encryption layer notices first.
  auto refused = Backup({"get", "--out", dir_ + "/got.db"});
  EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "fails authentication")) << refused.err;
  EXPECT_FALSE(fs::exists(dir_ + "/got.db"));

  // The manifest changed to match the damaged object: the encryption layer refuses.
  std::ofstream(object, std::ios::binary | std::ios::trunc) << original;
  const std::string manifest_path = object.substr(0, object.size() - std::string(".db.zst.enc").size()) + ".manifest.json";
  std::string manifest = ReadFileBytes(manifest_path);
  char& digit = manifest[manifest.find("\"sha256\": \"") + 11];
  digit = digit == '0' ? '1' : '0';  // still hex: the object's hash no longer matches
  std::ofstream(manifest_path, std::ios::trunc) << manifest;
  auto bad_manifest = Backup({"verify"});
  EXPECT_EQ(bad_manifest.exit_code, 1) << Describe(bad_manifest);
  EXPECT_TRUE(Contains(bad_manifest.err, "differs from the manifest")) << bad_manifest.err;
}

// A store others can write to: a manifest placed there names a file outside
// the destination (absolute, or ../) as its object, with an old date so
// retention would remove it.
TEST_F(BackupTest, PruneNeverDeletesOutsideTheDestination) {
  const std::string victim = dir_ + "/victim.txt";
  std::ofstream(victim) << "keep me";
  ASSERT_EQ(Backup({"run"}).exit_code, 0);
  const std::string hash(64, '0');
  for (const std::string& object : {victim, std::string("../victim.txt")}) {
    std::ofstream(dir_ + "/store-a/evil-20000101T000000Z.manifest.json")
        << "{\"name\": \"evil-20000101T000000Z\", \"object\": \"" << object << "\", \"sha256\": \"" << hash
        << "\", \"createdUnix\": 946684800, \"encryption\": \"aes-256-gcm\"}";
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // names have second precision
    auto run = Backup({"run"});
    EXPECT_NE(run.exit_code, 0) << Describe(run);
    EXPECT_TRUE(Contains(run.err, "evil-20000101T000000Z.manifest.json")) << run.err;
    EXPECT_EQ(ReadFileBytes(victim), "keep me") << object;
  }
  // A manifest naming another backup's files is refused too.
  fs::remove(dir_ + "/store-a/evil-20000101T000000Z.manifest.json");
  std::string real_manifest;
  for (const auto& name : Files("store-a")) {
    if (name.ends_with(".manifest.json")) real_manifest = name;
  }
  ASSERT_FALSE(real_manifest.empty());
  fs::copy_file(dir_ + "/store-a/" + real_manifest, dir_ + "/store-a/other-20000101T000000Z.manifest.json");
  auto list = Backup({"list"});
  EXPECT_EQ(list.exit_code, 1) << Describe(list);
  EXPECT_TRUE(Contains(list.err, "names another backup")) << list.err;
}

TEST_F(BackupTest, ManifestOfWrongTypesIsAnErrorNotACrash) {
  fs::create_directories(dir_ + "/store-a");
  std::ofstream(dir_ + "/store-a/prod-20000101T000000Z.manifest.json")
      << "{\"name\": \"prod-20000101T000000Z\", \"object\": \"prod-20000101T000000Z.db.zst.enc\", "
         "\"sha256\": \"" << std::string(64, 'a') << "\", \"revision\": \"1\", \"encryption\": \"aes-256-gcm\"}";
  auto list = Backup({"list"});
  EXPECT_EQ(list.exit_code, 1) << Describe(list);  // not 134 (an uncaught exception)
  EXPECT_TRUE(Contains(list.err, "revision is not a non-negative integer")) << list.err;
}

TEST_F(BackupTest, ConfiguredKeyRefusesPlainObject) {
  // Someone who can write to the store leaves an unencrypted backup.
  std::ofstream(dir_ + "/plain.yaml") << "name: prod\ndestinations:\n  - " << dir_ << "/store-a\n";
  auto plain = RunKetcd(Args(cluster_->ConnectionFlags(), {"backup", "run", "--config", dir_ + "/plain.yaml"}));
  ASSERT_EQ(plain.exit_code, 0) << Describe(plain);
  auto refused = Backup({"verify"});
  EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "unencrypted, but a key is configured")) << refused.err;

  // The manifest made to claim encryption: the object's own header refuses.
  std::string manifest_path, object_path;
  for (const auto& name : Files("store-a")) {
    if (name.ends_with(".manifest.json")) manifest_path = dir_ + "/store-a/" + name;
    if (name.ends_with(".db.zst")) object_path = dir_ + "/store-a/" + name;
  }
  ASSERT_FALSE(manifest_path.empty() || object_path.empty());
  fs::rename(object_path, object_path + ".enc");
  std::string manifest = ReadFileBytes(manifest_path);
  manifest.replace(manifest.find(".db.zst\""), 8, ".db.zst.enc\"");
  manifest.replace(manifest.find("\"none\""), 6, "\"aes-256-gcm\"");
  std::ofstream(manifest_path, std::ios::trunc) << manifest;
  auto disguised = Backup({"get", "--out", dir_ + "/got.db"});
  EXPECT_EQ(disguised.exit_code, 1) << Describe(disguised);
  EXPECT_TRUE(Contains(disguised.err, "not encrypted, but a key is configured")) << disguised.err;
  EXPECT_FALSE(fs::exists(dir_ + "/got.db"));
  EXPECT_FALSE(fs::exists(dir_ + "/got.db.part"));
}

TEST_F(BackupTest, FetchedSnapshotIsPrivate) {
  ASSERT_EQ(Backup({"run"}).exit_code, 0);
  ::umask(022);
  auto got = Backup({"get", "--out", dir_ + "/got.db"});
  ASSERT_EQ(got.exit_code, 0) << Describe(got);
  struct stat info {};
  ASSERT_EQ(::stat((dir_ + "/got.db").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);  // every Secret of the cluster is in it
  auto again = Backup({"get", "--out", dir_ + "/got.db"});
  EXPECT_EQ(again.exit_code, 2) << Describe(again);  // never overwritten
}

// Credentials reach no output channel, even when the store is unreachable
// and errors quote the request.
TEST_F(BackupTest, SecretsNeverAppearInOutput) {
  const std::string closed = "http://127.0.0.1:" + std::to_string(FreePort());
  std::ofstream(dir_ + "/leaky.yaml")
      << "name: prod\nupload_attempts: 1\nretry_pause: 10ms\ndestinations:\n"
      << "  - url: azblob://backups/etcd\n    endpoint: " << closed << "/acct\n    account: acct\n"
      << "    allow_insecure_http: true\n    attempts: 1\n"
      << "    sas_token: \"sv=2019-12-12&ss=b&srt=sco&sp=racwdl&se=2099-01-01T00:00:00Z&sig=SASSIGNATURE0123456789\"\n"
      << "  - url: s3://backups/etcd\n    endpoint: " << closed << "\n    allow_insecure_http: true\n"
      << "    attempts: 1\n    access_key_id: AKIDEXAMPLE\n    secret_access_key: S3SECRETKEY0123456789\n";
  for (const std::string& command : {"run", "list"}) {
    auto result = RunKetcd(Args(cluster_->ConnectionFlags(), {"backup", command, "--config", dir_ + "/leaky.yaml"}));
    EXPECT_NE(result.exit_code, 0) << Describe(result);
    for (const std::string& secret : {"SASSIGNATURE0123456789", "S3SECRETKEY0123456789"}) {
      EXPECT_FALSE(Contains(result.out + result.err, secret)) << command << ": " << Describe(result);
    }
    EXPECT_TRUE(Contains(result.err, "127.0.0.1")) << result.err;  // the error still says where
  }
}

}  // namespace
}  // namespace ketcd::testing
