// When the backup daemon runs: cron syntax, in UTC.
//   "m h dom mon dow"  five fields: *, N, A-B, */S, A-B/S and lists (1,15);
//                      day of week 0-7 (0 and 7 are Sunday); when both day
//                      fields are restricted, either matching is enough
//   @hourly @daily @weekly @monthly @yearly, and @every DURATION ("@every 6h")
#pragma once

#include <bitset>
#include <cstdint>
#include <string>

#include "util/status.h"

namespace ketcd::backup {

class Schedule {
 public:
  // The first run time strictly after `after` (Unix seconds).
  int64_t Next(int64_t after) const;
  const std::string& text() const { return text_; }

 private:
  friend Result<Schedule> ParseSchedule(const std::string& text);
  std::string text_;
  int64_t every_ = 0;  // seconds, for @every
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1-31
  std::bitset<13> months_;  // 1-12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool any_day_ = true, any_weekday_ = true;
};

Result<Schedule> ParseSchedule(const std::string& text);

}  // namespace ketcd::backup
