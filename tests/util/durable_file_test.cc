// The one way ketcd writes files: complete or absent, private, never
// through a link someone placed.
#include "util/durable_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/cli_runner.h"
#include "support/test_files.h"

namespace ketcd {
namespace {

namespace fs = std::filesystem;
using testing::MakeTempDir;
using testing::ReadFileBytes;

class DurableFileTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir(); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(DurableFileTest, FileAppearsOnlyOnCommitWithItsMode) {
  ::umask(022);
  const std::string path = dir_ + "/out.db";
  auto file = DurableFile::Create(path, 0600);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_TRUE(file->Write("hello ").ok());
  ASSERT_TRUE(file->Write("world").ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::exists(path + ".part"));
  ASSERT_TRUE(file->Commit().ok());
  EXPECT_EQ(ReadFileBytes(path), "hello world");
  EXPECT_FALSE(fs::exists(path + ".part"));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(DurableFileTest, AbandonedFileLeavesNothing) {
  const std::string path = dir_ + "/out.db";
  {
    auto file = DurableFile::Create(path, 0600);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->Write("half").ok());
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".part"));
}

TEST_F(DurableFileTest, ExistingFileIsRefusedOrReplacedAsAsked) {
  const std::string path = dir_ + "/state.json";
  std::ofstream(path) << "old";
  EXPECT_FALSE(WriteFileDurably(path, "new", 0600).ok());
  EXPECT_EQ(ReadFileBytes(path), "old");
  ASSERT_TRUE(WriteFileDurably(path, "new", 0600, DurableFile::Existing::kReplace).ok());
  EXPECT_EQ(ReadFileBytes(path), "new");
}

TEST_F(DurableFileTest, NeverWritesThroughAPlacedSymlink) {
  const std::string target = dir_ + "/victim";
  std::ofstream(target) << "precious";
  const std::string path = dir_ + "/out.db";
  ASSERT_EQ(::symlink(target.c_str(), (path + ".part").c_str()), 0);
  auto file = DurableFile::Create(path, 0600);
  EXPECT_FALSE(file.ok());
  EXPECT_TRUE(testing::Contains(file.status().message(), "not a file of ours")) << file.status().message();
  EXPECT_EQ(ReadFileBytes(target), "precious");
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(DurableFileTest, OwnLeftoverPartIsStartedAfresh) {
  const std::string path = dir_ + "/out.db";
  std::ofstream(path + ".part") << "left by a killed run";
  ASSERT_TRUE(WriteFileDurably(path, "complete", 0600).ok());
  EXPECT_EQ(ReadFileBytes(path), "complete");
}

TEST_F(DurableFileTest, ResizeAndCopy) {
  const std::string path = dir_ + "/segment.wal";
  auto file = DurableFile::Create(path, 0600);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->Write("records").ok());
  ASSERT_TRUE(file->Resize(4096).ok());
  ASSERT_TRUE(file->Commit().ok());
  EXPECT_EQ(fs::file_size(path), 4096u);
  ASSERT_TRUE(CopyFileDurably(path, dir_ + "/copy.wal", 0600).ok());
  EXPECT_EQ(ReadFileBytes(dir_ + "/copy.wal"), ReadFileBytes(path));
  EXPECT_FALSE(CopyFileDurably(dir_ + "/missing", dir_ + "/copy2", 0600).ok());
  EXPECT_FALSE(fs::exists(dir_ + "/copy2.part"));
}

TEST_F(DurableFileTest, RenameDurablyRefusesToReplace) {
  fs::create_directories(dir_ + "/staging/member");
  fs::create_directories(dir_ + "/existing");
  EXPECT_FALSE(RenameDurably(dir_ + "/staging", dir_ + "/existing").ok());
  ASSERT_TRUE(RenameDurably(dir_ + "/staging", dir_ + "/data").ok());
  EXPECT_TRUE(fs::exists(dir_ + "/data/member"));
}

}  // namespace
}  // namespace ketcd
