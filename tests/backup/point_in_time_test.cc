#include "backup/point_in_time.h"

#include <gtest/gtest.h>

namespace ketcd::backup {
namespace {

TEST(ParseRfc3339MillisTest, ReadsUtcOffsetsAndFractions) {
  EXPECT_EQ(*ParseRfc3339Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339Millis("2026-12-03T14:32:05Z"), 1796308325000);
  EXPECT_EQ(*ParseRfc3339Millis("2026-12-03T14:32:05.25Z"), 1796308325250);
  EXPECT_EQ(*ParseRfc3339Millis("2026-12-03T14:32:05.123999Z"), 1796308325123);  // ms: the rest is cut
  EXPECT_EQ(*ParseRfc3339Millis("2026-12-03T15:32:05+01:00"), 1796308325000);
  EXPECT_EQ(*ParseRfc3339Millis("2026-12-03T09:02:05-05:30"), 1796308325000);
  EXPECT_EQ(*ParseRfc3339Millis("2024-02-29T00:00:00Z"), 1709164800000);
}

TEST(ParseRfc3339MillisTest, RefusesWhatIsNotAnRfc3339Time) {
  for (const char* text : {"", "2026-12-03", "2026-12-03T14:32:05", "2026-12-03 14:32:05Z", "2026-02-30T00:00:00Z",
                           "2026-12-03T24:00:00Z", "2026-12-03T14:32:05.Z", "2026-12-03T14:32:05+0100",
                           "2026-12-03T14:32:05Zjunk", "1796308325"}) {
    auto parsed = ParseRfc3339Millis(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace ketcd::backup
