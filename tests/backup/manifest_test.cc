// Manifests come from stores others may write to: only what ketcd writes
// is accepted, and nothing in one can point outside its own backup.
#include "backup/manifest.h"

#include <gtest/gtest.h>

namespace ketcd::backup {
namespace {

Manifest Sample(bool encrypted) {
  Manifest m;
  m.name = "prod-20261202T010203Z";
  m.object = ObjectName(m.name, encrypted);
  m.sha256 = std::string(64, 'c');
  m.object_bytes = 10, m.snapshot_bytes = 20, m.revision = 30, m.total_keys = 40, m.created = 1764637323;
  m.etcd_version = "3.6.0", m.cluster_id = "cdf818194e3a8c32";
  m.encrypted = encrypted;
  return m;
}

std::string With(const std::string& text, const std::string& from, const std::string& to) {
  std::string changed = text;
  const size_t at = changed.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? changed : changed.replace(at, from.size(), to);
}

TEST(ManifestTest, RoundTrips) {
  for (bool encrypted : {false, true}) {
    const Manifest m = Sample(encrypted);
    auto parsed = ParseManifest(ManifestText(m));
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->object, m.object);
    EXPECT_EQ(parsed->encrypted, encrypted);
    EXPECT_EQ(parsed->revision, 30);
    EXPECT_EQ(parsed->created, m.created);
  }
}

TEST(ManifestTest, ObjectOutsideItsBackupIsRefused) {
  const std::string text = ManifestText(Sample(true));
  for (const std::string& object : std::vector<std::string>{"/etc/passwd", "../prod-20261202T010203Z.db.zst.enc",
                                    "prod-20261202T010203Z.db.zst", "other.db.zst.enc", ""}) {
    auto parsed = ParseManifest(With(text, "\"prod-20261202T010203Z.db.zst.enc\"", "\"" + object + "\""));
    EXPECT_EQ(parsed.status().code(), ErrorCode::kDataLoss) << object;
  }
  for (const std::string& name : std::vector<std::string>{"../x", "/abs", ".hidden", "a/b", "", std::string(201, 'a')}) {
    auto parsed = ParseManifest(With(text, "\"name\": \"prod-20261202T010203Z\"", "\"name\": \"" + name + "\""));
    EXPECT_EQ(parsed.status().code(), ErrorCode::kDataLoss) << name;
  }
}

TEST(ManifestTest, EncryptionFieldMustAgreeWithTheObject) {
  const std::string text = ManifestText(Sample(true));
  EXPECT_FALSE(ParseManifest(With(text, "\"aes-256-gcm\"", "\"none\"")).ok());
  EXPECT_FALSE(ParseManifest(With(text, "\"aes-256-gcm\"", "\"rot13\"")).ok());
}

TEST(ManifestTest, WrongJsonTypesAreDataLossNotExceptions) {
  const std::string text = ManifestText(Sample(false));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"revision\": 30", "\"revision\": \"1\""},
           {"\"revision\": 30", "\"revision\": -1"},
           {"\"revision\": 30", "\"revision\": 1.5"},
           {"\"createdUnix\": 1764637323", "\"createdUnix\": null"},
           {"\"name\": \"prod-20261202T010203Z\"", "\"name\": 7"},
           {"\"encryption\": \"none\"", "\"encryption\": true"},
           {"\"sha256\": \"" + std::string(64, 'c') + "\"", "\"sha256\": [1]"},
           {"\"sha256\": \"" + std::string(64, 'c') + "\"", "\"sha256\": \"../../etc\""}}) {
    auto parsed = ParseManifest(With(text, from, to));
    EXPECT_EQ(parsed.status().code(), ErrorCode::kDataLoss) << to;
  }
  for (const std::string& junk : std::vector<std::string>{"", "[]", "42", "\"text\"", "{", "null"}) {
    EXPECT_EQ(ParseManifest(junk).status().code(), ErrorCode::kDataLoss) << junk;
  }
}

TEST(ManifestTest, BackupNamesAreOnePathComponent) {
  EXPECT_TRUE(IsBackupName("prod-20261202T010203Z"));
  EXPECT_TRUE(IsBackupName("prod-20261202T010203Z.manifest.json"));
  for (const std::string& name : std::vector<std::string>{"", ".", "..", "../a", "a/b", "-a", ".a", "a b", "a\\b", "a\n"}) {
    EXPECT_FALSE(IsBackupName(name)) << name;
  }
}

}  // namespace
}  // namespace ketcd::backup
