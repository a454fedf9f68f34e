// The bbolt reader against databases written by our writer: iteration,
// seeks, nested structure and the structural check, and corruption of
// each kind of page giving an error rather than a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "bolt/check.h"
#include "bolt/database.h"
#include "bolt/format.h"
#include "bolt/writer.h"
#include "support/test_files.h"

namespace ketcd::bolt {
namespace {

using ::ketcd::testing::ReadFileBytes;

using Buckets = std::map<std::string, std::map<std::string, std::string>>;

class BoltTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ketcd-bolt-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const Buckets& buckets, uint32_t page_size = 4096) {
    const std::string path = (dir_ / "db").string();
    std::filesystem::remove(path);
    auto writer = Writer::Create(path, page_size);
    EXPECT_TRUE(writer.ok()) << writer.status().message();
    for (const auto& [name, keys] : buckets) {
      EXPECT_TRUE((*writer)->BeginBucket(name).ok());
      for (const auto& [key, value] : keys) EXPECT_TRUE((*writer)->Put(key, value).ok());
    }
    Status finished = (*writer)->Finish();
    EXPECT_TRUE(finished.ok()) << finished.message();
    return path;
  }

  // A database large enough for branch pages and overflow pages.
  static Buckets Sample() {
    Buckets buckets;
    for (int i = 0; i < 5000; ++i) {
      char key[32];
      std::snprintf(key, sizeof key, "key-%06d", i);
      buckets["key"][key] = std::string(40 + i % 100, static_cast<char>('a' + i % 26));
    }
    buckets["key"]["zz-large"] = std::string(20000, 'L');  // spans overflow pages
    buckets["meta"]["consistent_index"] = std::string(8, '\1');
    buckets["empty"];
    return buckets;
  }

  std::filesystem::path dir_;
};

Buckets ReadAll(const Database& db) {
  Buckets result;
  Cursor buckets(db, db.root());
  EXPECT_TRUE(buckets.First().ok());
  while (buckets.valid()) {
    EXPECT_TRUE(buckets.element().is_bucket);
    auto bucket = db.Bucket(db.root(), buckets.key());
    EXPECT_TRUE(bucket.ok()) << bucket.status().message();
    auto& keys = result[std::string(buckets.key())];
    Cursor cursor(db, *bucket);
    Status status = cursor.First();
    while (status.ok() && cursor.valid()) {
      keys[std::string(cursor.key())] = cursor.value();
      status = cursor.Next();
    }
    EXPECT_TRUE(status.ok()) << status.message();
    EXPECT_TRUE(buckets.Next().ok());
  }
  return result;
}

TEST_F(BoltTest, ReadsBackEveryKeyInOrder) {
  const Buckets sample = Sample();
  auto db = Database::Open(Write(sample));
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ(ReadAll(*db), sample);
  auto report = CheckDatabase(*db);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
  EXPECT_EQ(report->pages_reachable, db->meta().high_water);
}

TEST_F(BoltTest, SeekFindsTheFirstKeyNotBefore) {
  auto db = Database::Open(Write(Sample()));
  ASSERT_TRUE(db.ok());
  auto bucket = db->Bucket(db->root(), "key");
  ASSERT_TRUE(bucket.ok());
  Cursor cursor(*db, *bucket);
  ASSERT_TRUE(cursor.Seek("key-002500").ok());
  EXPECT_EQ(cursor.key(), "key-002500");
  ASSERT_TRUE(cursor.Seek("key-0025005").ok());
  EXPECT_EQ(cursor.key(), "key-002501");
  ASSERT_TRUE(cursor.Seek("a").ok());
  EXPECT_EQ(cursor.key(), "key-000000");
  ASSERT_TRUE(cursor.Seek("zzz").ok());
  EXPECT_FALSE(cursor.valid());
  ASSERT_TRUE(cursor.Last().ok());
  EXPECT_EQ(cursor.key(), "zz-large");
  auto empty = db->Bucket(db->root(), "empty");
  ASSERT_TRUE(empty.ok());
  Cursor nothing(*db, *empty);
  ASSERT_TRUE(nothing.Last().ok());
  EXPECT_FALSE(nothing.valid());
  EXPECT_EQ(db->Bucket(db->root(), "nope").status().code(), ErrorCode::kNotFound);
}

TEST_F(BoltTest, EmptyBucketsAndLargePageSizes) {
  Buckets buckets{{"a", {}}, {"b", {{"k", "v"}}}};
  auto db = Database::Open(Write(buckets, 16384));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->meta().page_size, 16384u);
  EXPECT_EQ(ReadAll(*db), buckets);
}

// Overwrites bytes of the file at `offset`.
void Patch(const std::string& path, size_t offset, std::string_view bytes) {
  std::string content = ReadFileBytes(path);
  content.replace(offset, bytes.size(), bytes);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

// Every problem the check reports, or the error of opening.
std::string CheckProblems(const std::string& path) {
  auto db = Database::Open(path);
  if (!db.ok()) return db.status().message();
  auto report = CheckDatabase(*db);
  if (!report.ok()) return report.status().message();
  std::string all;
  for (const auto& problem : report->problems) all += problem + "\n";
  return all;
}

TEST_F(BoltTest, EitherMetaPageCorruptIsReportedAndTheOtherUsed) {
  for (int meta : {0, 1}) {
    const std::string path = Write(Sample());
    Patch(path, meta * 4096 + kPageHeaderSize + 40, "\x7f");  // the high-water mark
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok()) << db.status().message();
    EXPECT_EQ(db->meta_index(), 1 - meta);
    EXPECT_NE(CheckProblems(path).find("meta page " + std::to_string(meta) + ": checksum mismatch"),
              std::string::npos);
  }
  const std::string path = Write(Sample());
  Patch(path, kPageHeaderSize, "XXXX");
  Patch(path, 4096 + kPageHeaderSize, "XXXX");
  EXPECT_NE(CheckProblems(path).find("not a usable bbolt database"), std::string::npos);
}

TEST_F(BoltTest, TruncationAndBadPageReferencesAreErrors) {
  std::string path = Write(Sample());
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 4096);
  EXPECT_NE(CheckProblems(path).find("truncated"), std::string::npos);

  // Find a branch page and a leaf page, then damage each.
  path = Write(Sample());
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  uint64_t branch = 0, leaf = 0;
  for (uint64_t id = 2; id < db->meta().high_water && (!branch || !leaf); ++id) {
    auto page = db->Page(id);
    if (!page.ok()) continue;
    if ((page->flags & kBranchPage) && !branch) branch = id;
    if ((page->flags & kLeafPage) && page->count > 10 && !leaf) leaf = id;
  }
  ASSERT_TRUE(branch && leaf);
  const std::string pristine = ReadFileBytes(path);
  auto damaged = [&](uint64_t page, size_t offset, std::string_view bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << pristine;
    Patch(path, page * 4096 + offset, bytes);
    return CheckProblems(path);
  };
  // A child page id past the end of the file.
  EXPECT_NE(damaged(branch, kPageHeaderSize + 8, std::string("\xff\xff\xff\x00", 4))
                .find("past the high-water mark"), std::string::npos);
  // A leaf element whose key points outside the page.
  EXPECT_NE(damaged(leaf, kPageHeaderSize + 4, std::string("\xff\xff\x00\x00", 4))
                .find("points past the end of the page"), std::string::npos);
  // A leaf element count larger than the page.
  std::string problems = damaged(leaf, 10, std::string("\xff\x0f", 2));
  EXPECT_NE(problems.find("page " + std::to_string(leaf) + ": element"), std::string::npos)
      << problems;
  // A page whose header names another page.
  EXPECT_NE(damaged(leaf, 0, std::string("\x01\x00", 2)).find("header says"), std::string::npos);
}

TEST_F(BoltTest, KeysOutOfOrderAreReported) {
  const std::string path = Write({{"b", {{"key-1", "v"}, {"key-2", "v"}}}});
  std::string content = ReadFileBytes(path);
  size_t at = content.find("key-2");
  ASSERT_NE(at, std::string::npos);
  Patch(path, at, "key-0");
  EXPECT_NE(CheckProblems(path).find("out of order"), std::string::npos);
}

TEST_F(BoltTest, GarbageIsRejected) {
  for (std::string garbage : {std::string(), std::string(100, 'x'), std::string(20000, '\0')}) {
    auto db = Database::FromBytes(garbage);
    EXPECT_FALSE(db.ok());
  }
}

}  // namespace
}  // namespace ketcd::bolt
