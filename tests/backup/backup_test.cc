// Backups end to end on a real etcd into directory destinations: run, list,
// retention, restore (read back offline), verify; a partial upload is never
// listed; a flipped byte in the object, or in its manifest, is refused.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "backup/configmap_cluster.h"
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
  manifest[manifest.find("\"sha256\": \"") + 11] ^= 0x01;
  std::ofstream(manifest_path, std::ios::trunc) << manifest;
  auto bad_manifest = Backup({"verify"});
  EXPECT_EQ(bad_manifest.exit_code, 1) << Describe(bad_manifest);
  EXPECT_TRUE(Contains(bad_manifest.err, "differs from the manifest")) << bad_manifest.err;
}

}  // namespace
}  // namespace ketcd::testing
