#include "util/utc_time.h"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace ketcd {
namespace {

// The reference: the C library's calendar, as the formatting once was.
std::string Strftime(int64_t seconds, const char* format) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[64];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

TEST(UtcTimeTest, Rfc3339AgreesWithTheCLibraryCalendar) {
  // 2000-02-29, 2100-03-01, 1000-01-01, 9999-12-31T23:59:59.
  std::vector<int64_t> moments = {0,         -1,         59,           86399,       86400,     951782400,
                                  951868799, 4107542400, -30610224000, 253402300799, 1764700000};
  std::mt19937_64 random(7);
  // Years 1000..9999 (the C library does not pad shorter years).
  std::uniform_int_distribution<int64_t> any(-30610224000, 253402300799);
  for (int i = 0; i < 20000; ++i) moments.push_back(any(random));
  for (const int64_t seconds : moments) {
    ASSERT_EQ(Rfc3339Utc(seconds), Strftime(seconds, "%Y-%m-%dT%H:%M:%SZ")) << seconds;
    ASSERT_EQ(Rfc3339MicroUtc(seconds, 123456789), Strftime(seconds, "%Y-%m-%dT%H:%M:%S") + ".123456Z")
        << seconds;
  }
}

TEST(UtcTimeTest, YearsPastFourDigitsArePrintedAsTheCLibraryDoes) {
  for (const int64_t seconds : {int64_t{253402300800}, int64_t{-62167219201}, int64_t{1} << 40}) {
    EXPECT_EQ(Rfc3339Utc(seconds), Strftime(seconds, "%Y-%m-%dT%H:%M:%SZ")) << seconds;
  }
}

TEST(UtcTimeTest, YearsBelowOneThousandHaveFourDigitsAsGoPrintsThem) {
  EXPECT_EQ(Rfc3339Utc(-62167219200), "0000-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339Utc(-62135596801), "0000-12-31T23:59:59Z");
  EXPECT_EQ(Rfc3339MicroUtc(-61979644800, 0), "0005-12-11T00:00:00.000000Z");
}

TEST(UtcTimeTest, KnownMoments) {
  EXPECT_EQ(Rfc3339Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339Utc(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(Rfc3339MicroUtc(1, 5000), "1970-01-01T00:00:01.000005Z");
  EXPECT_EQ(CompactUtc(1764700000), "20251202T182640Z");
}

TEST(UtcTimeTest, MillisecondsHaveThreeDigits) {
  EXPECT_EQ(Rfc3339MillisUtc(1764700000250), "2025-12-02T18:26:40.250Z");
  EXPECT_EQ(Rfc3339MillisUtc(1764700000007), "2025-12-02T18:26:40.007Z");
  EXPECT_EQ(Rfc3339MillisUtc(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace ketcd
