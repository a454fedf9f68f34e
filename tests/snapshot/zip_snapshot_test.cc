// Snapshots in zip archives (RKE's and k3s/RKE2's compressed snapshots):
// stored ones read in place, deflated ones inflated; both read as the plain
// file does (snapshot status, ls), and damage is named.
#include "snapshot/zip_snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bolt/writer.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "snapshot/backend_layout.h"
#include "snapshot/snapshot_file.h"
#include "support/cli_runner.h"
#include "support/zip_writer.h"
#include "util/private_dir.h"

namespace ketcd::snapshot {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class ZipSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plain_ = scratch_.path() + "/snapshot.db";
    auto writer = bolt::Writer::Create(plain_);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->BeginBucket("key").ok());
    for (int i = 0; i < 300; ++i) {
      mvccpb::KeyValue kv;
      kv.set_key("/registry/configmaps/ns" + std::to_string(i % 3) + "/cm" + std::to_string(i));
      kv.set_create_revision(i + 2);
      kv.set_mod_revision(i + 2);
      kv.set_version(1);
      kv.set_value(std::string(200 + i, 'v'));
      ASSERT_TRUE((*writer)->Put(RevisionKeyBytes({i + 2, 0}), kv.SerializeAsString()).ok());
    }
    ASSERT_TRUE((*writer)->Finish().ok());
    content_ = ReadAll(plain_);
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = scratch_.path() + "/" + name;
    WriteAll(path, bytes);
    return path;
  }

  PrivateDir scratch_;
  std::string plain_, content_;
};

TEST_F(ZipSnapshotTest, StoredAndDeflatedSnapshotsReadAsThePlainFile) {
  // RKE puts its cluster state file beside the snapshot: the larger entry is the snapshot.
  const std::vector<testing::ZipMember> members = {{"cluster.rkestate", "{\"desiredState\":{}}"},
                                       {"backup/snapshot.db", content_}};
  const auto plain_status = testing::RunKetcd({"snapshot", "status", plain_, "-w", "json"});
  ASSERT_EQ(plain_status.exit_code, 0) << testing::Describe(plain_status);
  const auto plain_ls = testing::RunKetcd({"ls", "--snapshot", plain_, "-o", "json"});
  ASSERT_EQ(plain_ls.exit_code, 0) << testing::Describe(plain_ls);
  for (const bool deflated : {false, true}) {
    const std::string zip = Write(deflated ? "deflated.zip" : "stored.zip", testing::ZipOf(members, deflated));
    auto opened = OpenSnapshot(zip);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    EXPECT_EQ(opened->db.file(), content_);
    // Stored: read in place (its bytes are inside the archive's mapping) and checked by CRC.
    EXPECT_EQ(opened->zip_crc32.has_value(), !deflated);
    EXPECT_TRUE(CheckTrailer(*opened).ok());
    const auto status = testing::RunKetcd({"snapshot", "status", zip, "-w", "json"});
    EXPECT_EQ(status.exit_code, 0) << testing::Describe(status);
    EXPECT_EQ(status.out, plain_status.out);
    const auto ls = testing::RunKetcd({"ls", "--snapshot", zip, "-o", "json"});
    EXPECT_EQ(ls.out, plain_ls.out) << testing::Describe(ls);
  }
  // Nothing inflated is left behind.
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
    EXPECT_NE(entry.path().filename().string().rfind("ketcd-snapshot-", 0), 0u) << entry.path();
  }
}

TEST_F(ZipSnapshotTest, DamagedArchivesAreNamedNotRead) {
  const std::string stored = testing::ZipOf({{"snapshot.db", content_}}, false);

  // A flipped byte in a stored snapshot's last page: the CRC-32 says so.
  auto opened = OpenSnapshot(Write("flipped.zip", testing::ZipOf({{"snapshot.db", content_}}, false, [](std::string& data) {
    data[data.size() - 100] ^= 0x40;
  })));
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  const Status checked = CheckTrailer(*opened);
  EXPECT_FALSE(checked.ok());
  EXPECT_NE(checked.message().find("CRC-32"), std::string::npos) << checked.message();

  // A deflated one cut short, or damaged in its stream.
  auto truncated = OpenSnapshot(Write("cut.zip", testing::ZipOf({{"snapshot.db", content_}}, true, [](std::string& data) {
    data.resize(data.size() / 2);
  })));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("snapshot.db: deflated data truncated"), std::string::npos)
      << truncated.status().message();
  auto bad = OpenSnapshot(Write("corrupt.zip", testing::ZipOf({{"snapshot.db", content_}}, true, [](std::string& data) {
    for (size_t i = 50; i < 80; ++i) data[i] = static_cast<char>(~data[i]);
  })));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("damaged zip archive: snapshot.db"), std::string::npos)
      << bad.status().message();

  // No end record; an archive with no file.
  auto headless = OpenSnapshot(Write("headless.zip", stored.substr(0, stored.size() - 22)));
  ASSERT_FALSE(headless.ok());
  EXPECT_NE(headless.status().message().find("no end of central directory"), std::string::npos)
      << headless.status().message();
  auto empty = OpenSnapshot(Write("empty.zip", testing::ZipOf({{"dir/", ""}}, false)));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("holds no file"), std::string::npos) << empty.status().message();
}

}  // namespace
}  // namespace ketcd::snapshot
