#include "util/known_keys.h"

#include <gtest/gtest.h>

namespace ketcd {
namespace {

TEST(KnownKeysTest, NamesTheUnknownKeyAndTheClosestKnownOne) {
  const std::vector<std::string> known = {"retention", "schedule", "destinations"};
  EXPECT_TRUE(CheckKnownKeys(YAML::Load("{schedule: 1, retention: 2}"), known, "backup.yaml").ok());
  Status typo = CheckKnownKeys(YAML::Load("{schedule: 1, retenton: 2}"), known, "backup.yaml");
  EXPECT_EQ(typo.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(typo.message(), "backup.yaml: unknown key \"retenton\" (did you mean \"retention\"?)");
  EXPECT_EQ(CheckKnownKeys(YAML::Load("{zzz: 1}"), known, "f").message(), "f: unknown key \"zzz\"");
  EXPECT_TRUE(CheckKnownKeys(YAML::Load("[a, b]"), known, "f").ok());  // not a mapping: no keys
}

}  // namespace
}  // namespace ketcd
