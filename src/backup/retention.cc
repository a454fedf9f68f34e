#include "backup/retention.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <numeric>

namespace ketcd::backup {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

int64_t HourOf(int64_t t) { return FloorDiv(t, 3600); }
int64_t DayOf(int64_t t) { return FloorDiv(t, 86400); }
// 1970-01-01 was a Thursday: shifting by 3 days starts weeks on Monday.
int64_t WeekOf(int64_t t) { return FloorDiv(DayOf(t) + 3, 7); }
int64_t MonthOf(int64_t t) {
  const std::time_t time = t;
  std::tm parts{};
  gmtime_r(&time, &parts);
  return int64_t{parts.tm_year} * 12 + parts.tm_mon;
}

}  // namespace

std::set<size_t> BackupsToKeep(const std::vector<int64_t>& created, const RetentionPolicy& policy) {
  std::vector<size_t> newest_first(created.size());
  std::iota(newest_first.begin(), newest_first.end(), 0);
  if (policy.keeps_everything()) return {newest_first.begin(), newest_first.end()};
  std::stable_sort(newest_first.begin(), newest_first.end(), [&](size_t a, size_t b) { return created[a] > created[b]; });
  std::set<size_t> keep;
  for (int i = 0; i < policy.keep_last && i < static_cast<int>(newest_first.size()); ++i) keep.insert(newest_first[i]);
  const std::pair<int, std::function<int64_t(int64_t)>> rules[] = {
      {policy.hourly, HourOf}, {policy.daily, DayOf}, {policy.weekly, WeekOf}, {policy.monthly, MonthOf}};
  for (const auto& [count, period_of] : rules) {
    int left = count;
    bool first = true;
    int64_t last_period = 0;
    for (size_t index : newest_first) {
      if (left == 0) break;
      const int64_t period = period_of(created[index]);
      if (first || period != last_period) {  // the newest of a period not seen yet
        keep.insert(index);
        --left;
        last_period = period;
        first = false;
      }
    }
  }
  return keep;
}

}  // namespace ketcd::backup
