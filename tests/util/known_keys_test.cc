#include "util/known_keys.h"

#include <gtest/gtest.h>

namespace ketcd {
namespace {

TEST(KnownKeysTest, NamesTheUnknownKeyAndTheClosestKnownOne) {
  const std::vector<std::string> known = {"retention", "schedule", "destinations"};
  EXPECT_TRUE(CheckKnownKeys({"schedule", "retention"}, known, "backup.yaml").ok());
  Status typo = CheckKnownKeys({"schedule", "retenton"}, known, "backup.yaml");
  EXPECT_EQ(typo.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(typo.message(), "backup.yaml: unknown key \"retenton\" (did you mean \"retention\"?)");
  EXPECT_EQ(CheckKnownKeys({"zzz"}, known, "f").message(), "f: unknown key \"zzz\"");
}

}  // namespace
}  // namespace ketcd
