// The undo journal must stay readable when it is needed most: after a crash
// or a full disk cut its last line, and a re-run appended to it.
#include "migrate/journal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/test_files.h"

namespace ketcd::migrate {
namespace {

namespace fs = std::filesystem;

const JournalHeader kHeader{"service-cidr", {"10.96.0.0/12"}, {"172.24.0.0/16"}};

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    path_ = dir_ + "/migrate.journal";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Append(const std::string& key) {
    auto writer = JournalWriter::Open(path_, kHeader);
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    JournalRecord record{key, "", 7, "old " + key, "new " + key};
    ASSERT_TRUE(writer->Append({&record, 1}).ok());
  }
  std::string dir_, path_;
};

TEST_F(JournalTest, TornLastLineThenReRunStaysReadable) {
  Append("/registry/services/specs/default/a");
  // A crash (or a full disk) in the middle of the next append.
  std::ofstream(path_, std::ios::app) << R"({"key":"/registry/services/specs/default/b","mod_revision":9,"ol)";
  auto torn = ReadJournal(path_);
  ASSERT_TRUE(torn.ok()) << torn.status().message();
  EXPECT_EQ(torn->records.size(), 1u);
  // The re-run the error message recommends appends to the same journal.
  Append("/registry/services/specs/default/b");
  auto read = ReadJournal(path_);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->records.size(), 2u);
  EXPECT_EQ(read->records[1].key, "/registry/services/specs/default/b");
  EXPECT_EQ(read->records[1].old_value, "old /registry/services/specs/default/b");
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(JournalTest, HeaderCutShortStartsAfresh) {
  std::ofstream(path_) << R"({"journal":"ketcd-migrate","vers)";
  Append("/registry/services/specs/default/a");
  auto read = ReadJournal(path_);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->header, kHeader);
  EXPECT_EQ(read->records.size(), 1u);
}

TEST_F(JournalTest, WrongJsonTypesAreDataLossNotExceptions) {
  const std::string header = R"({"journal":"ketcd-migrate","version":1,"migration":"service-cidr","from":["a"],"to":["b"]})";
  for (const std::string& line :
       {std::string(R"({"journal":5,"version":1})"), std::string(R"({"journal":"ketcd-migrate","version":"1"})"),
        std::string(R"({"journal":"ketcd-migrate","version":1,"migration":"x","from":[1],"to":[]})"),
        header + "\n" + R"({"key":"k","old":"","new":"","mod_revision":"9"})",
        header + "\n" + R"({"key":"k","old":"","new":"","new_key":7})",
        header + "\n" + R"({"key":1,"old":"","new":""})", header + "\n" + R"([1,2])", header + "\n" + "7"}) {
    std::ofstream(path_, std::ios::trunc) << line << "\n";
    auto read = ReadJournal(path_);
    EXPECT_EQ(read.status().code(), ErrorCode::kDataLoss) << line;
  }
}

TEST_F(JournalTest, AnotherMigrationsJournalIsRefused) {
  Append("/registry/services/specs/default/a");
  auto other = JournalWriter::Open(path_, {"pod-cidr", {"10.244.0.0/16"}, {"10.32.0.0/16"}});
  EXPECT_EQ(other.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace ketcd::migrate
