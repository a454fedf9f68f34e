// A mistyped command says which word is unknown where, suggests the closest
// names and exits 2, also with --help after it; known commands, their
// arguments and global flags before them are left to the parser.
#include "cli/command_lookup.h"

#include <gtest/gtest.h>

#include "support/cli_runner.h"

namespace ketcd::testing {
namespace {

void ExpectUnknown(const std::vector<std::string>& args, const std::string& first_line,
                   const std::string& suggestions) {
  auto result = RunKetcd(args);
  EXPECT_EQ(result.exit_code, 2) << Describe(result);
  EXPECT_TRUE(result.out.empty()) << Describe(result);
  EXPECT_EQ(result.err.substr(0, result.err.find('\n')), "ketcd: " + first_line) << result.err;
  if (suggestions.empty()) {
    EXPECT_EQ(result.err.find("Did you mean"), std::string::npos) << result.err;
  } else {
    EXPECT_NE(result.err.find("Did you mean this?\n" + suggestions), std::string::npos) << result.err;
  }
}

TEST(CommandLookupTest, AnUnknownCommandIsNamedWithTheClosestOnesAtEveryLevel) {
  ExpectUnknown({"snapshto", "save", "x.db"}, "unknown command \"snapshto\" for \"ketcd\"", "\tsnapshot\n");
  ExpectUnknown({"snapshot", "restor", "x.db"}, "unknown command \"restor\" for \"ketcd snapshot\"",
                "\trestore\n");
  ExpectUnknown({"cluster", "upgrade-chek"}, "unknown command \"upgrade-chek\" for \"ketcd cluster\"",
                "\tupgrade-check\n");
  ExpectUnknown({"backup", "nothing-like-it"}, "unknown command \"nothing-like-it\" for \"ketcd backup\"", "");
  // Global flags and their values before or after the command.
  ExpectUnknown({"--endpoints", "http://127.0.0.1:1", "snapshot", "-w", "json", "stauts"},
                "unknown command \"stauts\" for \"ketcd snapshot\"", "\tstatus\n");
}

TEST(CommandLookupTest, HelpAfterAnUnknownCommandIsStillAnError) {
  ExpectUnknown({"cluster", "upgrade-chek", "--help"}, "unknown command \"upgrade-chek\" for \"ketcd cluster\"",
                "\tupgrade-check\n");
  ExpectUnknown({"snapshot", "restor", "-h"}, "unknown command \"restor\" for \"ketcd snapshot\"", "\trestore\n");
  ExpectUnknown({"snapshto", "--help"}, "unknown command \"snapshto\" for \"ketcd\"", "\tsnapshot\n");
}

TEST(CommandLookupTest, KnownCommandsAndTheirArgumentsAreLeftToTheParser) {
  auto help = RunKetcd({"cluster", "upgrade-check", "--help"});
  EXPECT_EQ(help.exit_code, 0) << Describe(help);
  EXPECT_NE(help.out.find("upgrade-check"), std::string::npos) << help.out;
  // A command's own argument is not a command, whatever it looks like.
  auto status = RunKetcd({"--insecure-transport", "snapshot", "status", "statsu.db"});
  EXPECT_NE(status.exit_code, 0) << Describe(status);
  EXPECT_EQ(status.err.find("unknown command"), std::string::npos) << status.err;
  EXPECT_NE(status.err.find("statsu.db"), std::string::npos) << status.err;
  auto version = RunKetcd({"--version"});
  EXPECT_EQ(version.exit_code, 0) << Describe(version);
}

TEST(CommandLookupTest, ClosestNamesAreWithinTwoEditsOrStartWithTheWord) {
  const std::vector<std::string> names = {"save", "status", "verify", "hashkv", "restore", "diff"};
  EXPECT_EQ(cli::ClosestNames("restor", names), std::vector<std::string>{"restore"});
  EXPECT_EQ(cli::ClosestNames("stat", names), std::vector<std::string>{"status"});
  EXPECT_EQ(cli::ClosestNames("sav", names), std::vector<std::string>{"save"});
  EXPECT_EQ(cli::ClosestNames("STATUS", names), std::vector<std::string>{"status"});
  EXPECT_EQ(cli::ClosestNames("stat", {"status", "stats", "save"}), (std::vector<std::string>{"stats", "status"}));
  EXPECT_TRUE(cli::ClosestNames("compact", names).empty());
}

}  // namespace
}  // namespace ketcd::testing
