#include "backup/schedule.h"

#include <gtest/gtest.h>

#include <ctime>

#include "util/utc_time.h"

namespace ketcd::backup {
namespace {

int64_t Utc(int year, int month, int day, int hour, int minute, int second = 0) {
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  return timegm(&parts);
}

std::string NextAfter(const std::string& spec, int64_t after) {
  auto schedule = ParseSchedule(spec);
  EXPECT_TRUE(schedule.ok()) << schedule.status().message();
  return schedule.ok() ? Rfc3339Utc(schedule->Next(after)) : "";
}

TEST(ScheduleTest, CronFieldsInUtc) {
  const int64_t wednesday = Utc(2026, 11, 25, 23, 10);
  EXPECT_EQ(NextAfter("0 */6 * * *", wednesday), "2026-11-26T00:00:00Z");
  EXPECT_EQ(NextAfter("0 */6 * * *", Utc(2026, 11, 26, 0, 0)), "2026-11-26T06:00:00Z");  // strictly after
  EXPECT_EQ(NextAfter("30 2 * * 1", wednesday), "2026-11-30T02:30:00Z");                  // Monday
  EXPECT_EQ(NextAfter("0 3 * * 7", wednesday), "2026-11-29T03:00:00Z");                   // 7 is Sunday
  EXPECT_EQ(NextAfter("15,45 9-17/4 * * *", wednesday), "2026-11-26T09:15:00Z");
  EXPECT_EQ(NextAfter("0 0 1 */3 *", wednesday), "2027-01-01T00:00:00Z");
  EXPECT_EQ(NextAfter("0 0 29 2 *", wednesday), "2028-02-29T00:00:00Z");
  // Both day fields restricted: either one matching is enough (the 13th, or a Friday).
  EXPECT_EQ(NextAfter("0 0 13 * 5", wednesday), "2026-11-27T00:00:00Z");
  EXPECT_EQ(NextAfter("@daily", wednesday), "2026-11-26T00:00:00Z");
  EXPECT_EQ(NextAfter("@monthly", wednesday), "2026-12-01T00:00:00Z");
}

TEST(ScheduleTest, EveryIsAlignedToTheEpoch) {
  EXPECT_EQ(NextAfter("@every 6h", Utc(2026, 11, 25, 23, 10)), "2026-11-26T00:00:00Z");
  auto every = ParseSchedule("@every 2s");
  ASSERT_TRUE(every.ok());
  EXPECT_EQ(every->Next(101), 102);
  EXPECT_EQ(every->Next(102), 104);
}

TEST(ScheduleTest, BadSchedulesAreClearErrors) {
  for (const char* bad : {"61 * * * *", "* * *", "a * * * *", "* 24 * * *", "* * 0 * *", "*/0 * * * *",
                          "5-1 * * * *", "@every x", "@sometimes"}) {
    auto schedule = ParseSchedule(bad);
    EXPECT_FALSE(schedule.ok()) << bad;
    if (!schedule.ok()) EXPECT_NE(schedule.status().message().find("schedule"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace ketcd::backup
