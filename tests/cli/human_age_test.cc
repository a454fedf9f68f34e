// Object ages as kubectl prints them.
#include <gtest/gtest.h>

#include "cli/resource_get.h"

namespace ketcd::cli {
namespace {

TEST(HumanAgeTest, StepsAsKubectl) {
  using std::chrono::seconds;
  EXPECT_EQ(HumanAge(seconds(45)), "45s");
  EXPECT_EQ(HumanAge(seconds(119)), "119s");
  EXPECT_EQ(HumanAge(seconds(192)), "3m12s");
  EXPECT_EQ(HumanAge(seconds(300)), "5m");
  EXPECT_EQ(HumanAge(seconds(103 * 60)), "103m");
  EXPECT_EQ(HumanAge(seconds(5 * 3600 + 7 * 60)), "5h7m");
  EXPECT_EQ(HumanAge(seconds(30 * 3600)), "30h");
  EXPECT_EQ(HumanAge(seconds((5 * 24 + 8) * 3600)), "5d8h");
  EXPECT_EQ(HumanAge(seconds(693 * 86400)), "693d");
  EXPECT_EQ(HumanAge(seconds((3 * 365 + 20) * 86400)), "3y20d");
  EXPECT_EQ(HumanAge(seconds(9 * 365 * 86400)), "9y");
}

}  // namespace
}  // namespace ketcd::cli
