// A restored member's backend: every key of the snapshot copied into a new
// bbolt file, with the meta entries the restore sets.
#include "restore/backend_copy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "bolt/check.h"
#include "bolt/writer.h"

namespace ketcd::restore {
namespace {

using Buckets = std::map<std::string, std::map<std::string, std::string>>;

std::string TempPath(const std::string& name) {
  auto path = std::filesystem::temp_directory_path() /
              ("ketcd-backend-copy-" + std::to_string(getpid()) + "-" + name);
  std::filesystem::remove(path);
  return path.string();
}

void Write(const std::string& path, const Buckets& buckets) {
  auto writer = bolt::Writer::Create(path);
  ASSERT_TRUE(writer.ok());
  for (const auto& [name, keys] : buckets) {
    ASSERT_TRUE((*writer)->BeginBucket(name).ok());
    for (const auto& [key, value] : keys) ASSERT_TRUE((*writer)->Put(key, value).ok());
  }
  ASSERT_TRUE((*writer)->Finish().ok());
}

Buckets Read(const std::string& path) {
  auto db = bolt::Database::Open(path);
  EXPECT_TRUE(db.ok()) << db.status().message();
  auto report = bolt::CheckDatabase(*db);
  EXPECT_TRUE(report.ok() && report->problems.empty());
  Buckets result;
  bolt::Cursor buckets(*db, db->root());
  EXPECT_TRUE(buckets.First().ok());
  while (buckets.valid()) {
    auto& keys = result[std::string(buckets.key())];
    bolt::Cursor cursor(*db, *db->Bucket(db->root(), buckets.key()));
    EXPECT_TRUE(cursor.First().ok());
    while (cursor.valid()) {
      keys[std::string(cursor.key())] = cursor.value();
      EXPECT_TRUE(cursor.Next().ok());
    }
    EXPECT_TRUE(buckets.Next().ok());
  }
  return result;
}

TEST(BackendCopyTest, CopiesEveryKeyAndSetsTheMetaEntries) {
  Buckets source;
  for (int i = 0; i < 3000; ++i) source["key"]["k" + std::to_string(100000 + i)] = std::string(300, 'v');
  source["meta"] = {{"consistent_index", BigEndian64(4242)}, {"finishedCompactRev", "x"}};
  source["members"] = {{"1234", "{}"}};
  const std::string from = TempPath("from"), to = TempPath("to");
  Write(from, source);
  auto db = bolt::Database::Open(from);
  ASSERT_TRUE(db.ok());
  BackendEdits edits;
  edits.merged["meta"] = {{"consistent_index", BigEndian64(3)}, {"term", BigEndian64(1)}};
  edits.replaced["members"] = {{"99", "{\"id\":153}"}};
  edits.replaced["members_removed"] = {};
  ASSERT_TRUE(CopyBackend(*db, to, edits).ok());
  Buckets expected = source;
  expected["meta"]["consistent_index"] = BigEndian64(3);
  expected["meta"]["term"] = BigEndian64(1);
  expected["members"] = edits.replaced["members"];
  expected["members_removed"] = {};
  EXPECT_TRUE(Read(to) == expected);
  // An existing destination is never overwritten.
  EXPECT_EQ(CopyBackend(*db, to, edits).code(), ErrorCode::kIo);
  std::filesystem::remove(from);
  std::filesystem::remove(to);

  // Without a meta bucket, one is added in name order.
  Write(from, {{"key", {{"a", "b"}}}, {"members", {}}});
  auto bare = bolt::Database::Open(from);
  ASSERT_TRUE(bare.ok());
  ASSERT_TRUE(CopyBackend(*bare, to, edits).ok());
  EXPECT_TRUE(Read(to) == (Buckets{{"key", {{"a", "b"}}},
                                   {"members", edits.replaced["members"]},
                                   {"members_removed", {}},
                                   {"meta", edits.merged["meta"]}}));
  std::filesystem::remove(from);
  std::filesystem::remove(to);
}

TEST(BackendCopyTest, BigEndianAsEtcdWritesIt) {
  EXPECT_EQ(BigEndian64(0x0102030405060708ull), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

}  // namespace
}  // namespace ketcd::restore
