#include "util/duration.h"

#include <gtest/gtest.h>

namespace ketcd {
namespace {

TEST(DurationTest, ParsesGoDurations) {
  EXPECT_EQ(ParseDuration("2s")->count(), 2000);
  EXPECT_EQ(ParseDuration("500ms")->count(), 500);
  EXPECT_EQ(ParseDuration("1m30s")->count(), 90000);
  EXPECT_EQ(ParseDuration("1.5s")->count(), 1500);
  EXPECT_EQ(ParseDuration("1h")->count(), 3600000);
}

TEST(DurationTest, RejectsGarbageWithTheTextInTheMessage) {
  for (const char* bad : {"", "2", "s", "2x", "-1s", "1.2.3s"}) {
    auto parsed = ParseDuration(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(std::string("\"") + bad + "\""), std::string::npos);
  }
}

TEST(DurationTest, FormatsShortestSpelling) {
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(2000)), "2s");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(250)), "250ms");
}

}  // namespace
}  // namespace ketcd
