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

Manifest SampleDelta(bool encrypted) {
  Manifest m = Sample(encrypted);
  m.kind = BackupKind::kDelta;
  m.name = "prod-20261202T010203Z-delta-31";
  m.object = ObjectName(m.name, encrypted, BackupKind::kDelta);
  m.chain = "prod-20261202T010203Z";
  m.previous = "prod-20261202T010203Z";
  m.first_revision = 31, m.revision = 95;
  m.first_seen_millis = 1764637323000, m.last_seen_millis = 1764637325000;
  return m;
}

TEST(ManifestTest, DeltaRoundTripsWithItsChain) {
  for (bool encrypted : {false, true}) {
    Manifest m = SampleDelta(encrypted);
    m.chain_end = encrypted ? "compacted" : "";
    auto parsed = ParseManifest(ManifestText(m));
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->kind, BackupKind::kDelta);
    EXPECT_EQ(parsed->object, m.name + (encrypted ? ".delta.zst.enc" : ".delta.zst"));
    EXPECT_EQ(parsed->chain, m.chain);
    EXPECT_EQ(parsed->previous, m.previous);
    EXPECT_EQ(parsed->first_revision, 31);
    EXPECT_EQ(parsed->revision, 95);
    EXPECT_EQ(parsed->first_seen_millis, m.first_seen_millis);
    EXPECT_EQ(parsed->last_seen_millis, m.last_seen_millis);
    EXPECT_EQ(parsed->chain_end, m.chain_end);
  }
  // A manifest written before deltas existed is a full snapshot.
  auto old = ParseManifest(ManifestText(Sample(false)));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->kind, BackupKind::kSnapshot);
}

TEST(ManifestTest, DeltaChainThatCouldEscapeOrRunBackwardsIsRefused) {
  const std::string text = ManifestText(SampleDelta(false));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"kind\": \"delta\"", "\"kind\": \"full\""},
           {"\"chain\": \"prod-20261202T010203Z\"", "\"chain\": \"../x\""},
           {"\"previous\": \"prod-20261202T010203Z\"", "\"previous\": \"\""},
           {"\"firstRevision\": 31", "\"firstRevision\": 96"},
           {"\"firstRevision\": 31", "\"firstRevision\": 0"},
           {"\"lastSeenUnixMillis\": 1764637325000", "\"lastSeenUnixMillis\": 1"},
           {"\"object\": \"prod-20261202T010203Z-delta-31.delta.zst\"",
            "\"object\": \"prod-20261202T010203Z-delta-31.db.zst\""}}) {
    auto parsed = ParseManifest(With(text, from, to));
    EXPECT_EQ(parsed.status().code(), ErrorCode::kDataLoss) << to;
  }
  Manifest m = SampleDelta(false);
  m.chain_end = "stopped\x1b[2J";
  EXPECT_EQ(ParseManifest(ManifestText(m)).status().code(), ErrorCode::kDataLoss);
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
