// Placeholder values come from etcd (names and URLs members report): they
// reach the shell as data, never as syntax.
#include "cluster/host_command.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_files.h"

namespace ketcd::cluster {
namespace {

TEST(HostCommandTest, PlaceholdersAreSingleQuoted) {
  auto command = ExpandCommand("start --name={name} --peer={peer_url}", {{"name", "m1"}, {"peer_url", "http://h:2380"}});
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(*command, "start --name='m1' --peer='http://h:2380'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  // Shell syntax of the operator's own stays as written.
  auto shell = ExpandCommand("echo ${HOME} {name}", {{"name", "m1"}});
  ASSERT_TRUE(shell.ok());
  EXPECT_EQ(*shell, "echo ${HOME} 'm1'");
  EXPECT_FALSE(ExpandCommand("echo {nmae}", {{"name", "m1"}}).ok());
}

TEST(HostCommandTest, HostileValuesReachTheCommandAsData) {
  const std::string dir = testing::MakeTempDir();
  const std::string hostile = "m1'; touch " + dir + "/pwned; echo '$(touch " + dir + "/pwned2)`id`";
  auto command = ExpandCommand("printf %s {name} > " + dir + "/out", {{"name", hostile}});
  ASSERT_TRUE(command.ok());
  ASSERT_TRUE(RunHostCommand(*command).ok());
  EXPECT_EQ(testing::ReadFileBytes(dir + "/out"), hostile);
  EXPECT_FALSE(std::filesystem::exists(dir + "/pwned"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/pwned2"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ketcd::cluster
