// `ketcd completion bash` run in bash: the words a few half-typed command
// lines complete to.
#include <gtest/gtest.h>

#include "support/cli_runner.h"
#include "support/process.h"

namespace ketcd::testing {
namespace {

// What bash completes `line` to (the cursor at its end) with the script.
std::string CompletionsOf(const std::string& script, const std::string& line) {
  const std::string program = script +
                              "read -ra COMP_WORDS <<< \"$1\"\n"
                              "[[ \"$1\" == *' ' ]] && COMP_WORDS+=('')\n"
                              "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                              "_ketcd\n"
                              "echo \"${COMPREPLY[*]}\"\n";
  auto result = RunCommand({"bash", "-c", program, "bash", line});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  return result.out;
}

TEST(CompletionTest, BashCompletesCommandsSubcommandsFlagsAndResources) {
  auto script = RunKetcd({"completion", "bash"});
  ASSERT_EQ(script.exit_code, 0) << Describe(script);
  EXPECT_EQ(CompletionsOf(script.out, "ketcd sn"), "snapshot\n");
  const std::string snapshot = CompletionsOf(script.out, "ketcd snapshot ");
  EXPECT_EQ(snapshot.substr(0, snapshot.find(" --")), "save status verify hashkv restore diff");
  EXPECT_EQ(CompletionsOf(script.out, "ketcd get dep"), "deploy deployments\n");
  // Global flags and their values may come first.
  EXPECT_EQ(CompletionsOf(script.out, "ketcd --endpoints http://x:2379 snapshot st"), "status\n");
  EXPECT_EQ(CompletionsOf(script.out, "ketcd get --all"), "--all-namespaces\n");

  auto zsh = RunKetcd({"completion", "zsh"});
  ASSERT_EQ(zsh.exit_code, 0) << Describe(zsh);
  EXPECT_NE(zsh.out.find("bashcompinit"), std::string::npos);
  EXPECT_EQ(RunKetcd({"completion", "fish"}).exit_code, 2);
}

}  // namespace
}  // namespace ketcd::testing
