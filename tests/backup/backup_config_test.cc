// backup.yaml is checked key by key; store settings keep secrets private and
// plain HTTP explicit.
#include "backup/backup_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "backup/destination.h"
#include "backup/store_common.h"
#include "support/cli_runner.h"
#include "support/test_files.h"

namespace ketcd::backup {
namespace {

namespace fs = std::filesystem;
using testing::Contains;

class BackupConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir(); }
  void TearDown() override { fs::remove_all(dir_); }
  Result<BackupConfig> Load(const std::string& yaml) {
    std::ofstream(dir_ + "/backup.yaml") << yaml;
    return LoadBackupConfig(dir_ + "/backup.yaml");
  }
  std::string dir_;
};

TEST_F(BackupConfigTest, MisspeltKeysAreErrorsNamingTheClosestKey) {
  for (const auto& [yaml, wrong, right] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"retenton:\n  keep_last: 1\n", "retenton", "retention"},
           {"shedule: \"@daily\"\n", "shedule", "schedule"},
           {"retention:\n  keep_lsat: 1\n", "keep_lsat", "keep_last"},
           {"encryption:\n  keyfile: /k\n", "keyfile", "key_file"},
           {"destinations:\n  - url: s3://b/p\n    regoin: eu\n", "regoin", "region"},
           {"destinations:\n  - url: azblob://c/p\n    sas_tokn: x\n", "sas_tokn", "sas_token"}}) {
    auto config = Load("destinations:\n  - /tmp/x\n" + yaml);
    if (yaml.starts_with("destinations")) config = Load(yaml);
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_EQ(config.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(Contains(config.status().message(), "unknown key \"" + wrong + "\"")) << config.status().message();
    EXPECT_TRUE(Contains(config.status().message(), "did you mean \"" + right + "\"")) << config.status().message();
  }
  auto far = Load("destinations:\n  - /tmp/x\ncolour: blue\n");
  ASSERT_FALSE(far.ok());
  EXPECT_FALSE(Contains(far.status().message(), "did you mean")) << far.status().message();
  EXPECT_TRUE(Load("destinations:\n  - /tmp/x\nretention:\n  keep_last: 2\nschedule: \"@daily\"\n").ok());
}

TEST_F(BackupConfigTest, StoreSecretFilesMustBePrivate) {
  const std::string secret = dir_ + "/secret";
  std::ofstream(secret) << "s3cret\n";
  ::chmod(secret.c_str(), 0644);
  StoreSettings settings({{"secret_access_key_file", secret}});
  auto open = settings.Secret("secret_access_key");
  EXPECT_FALSE(open.ok());
  EXPECT_TRUE(Contains(open.status().message(), "chmod 600")) << open.status().message();
  ::chmod(secret.c_str(), 0600);
  auto read = settings.Secret("secret_access_key");
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(*read, "s3cret");
}

TEST_F(BackupConfigTest, PlainHttpStoresNeedToBeAllowed) {
  for (const std::string& url : {"s3://bucket/prefix", "azblob://container/prefix"}) {
    DestinationConfig config{url, {{"endpoint", "http://127.0.0.1:9"}, {"account", "a"}, {"key", "a2V5"},
                                   {"access_key_id", "id"}, {"secret_access_key", "secret"}}};
    auto refused = OpenDestination(config);
    ASSERT_FALSE(refused.ok()) << url;
    EXPECT_TRUE(Contains(refused.status().message(), "allow_insecure_http")) << refused.status().message();
    config.settings["allow_insecure_http"] = "true";
    EXPECT_TRUE(OpenDestination(config).ok()) << url;
  }
}

}  // namespace
}  // namespace ketcd::backup
