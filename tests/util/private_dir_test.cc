// Staged snapshots live in a directory only this user can enter, under a
// name nobody can predict, and go with it.
#include "util/private_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/test_files.h"

namespace ketcd {
namespace {

namespace fs = std::filesystem;

TEST(PrivateDirTest, PrivateUnpredictableAndRemoved) {
  const std::string parent = testing::MakeTempDir();
  std::string first_path;
  {
    PrivateDir first(parent), second(parent);
    ASSERT_FALSE(first.path().empty());
    EXPECT_NE(first.path(), second.path());
    struct stat info {};
    ASSERT_EQ(::stat(first.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    std::ofstream(first.path() + "/staged.db") << "secrets";
    first_path = first.path();
  }
  EXPECT_FALSE(fs::exists(first_path));
  EXPECT_TRUE(PrivateDir(parent + "/missing").path().empty());
  fs::remove_all(parent);
}

}  // namespace
}  // namespace ketcd
