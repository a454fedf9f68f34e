#include "backup/schedule.h"

#include <ctime>
#include <sstream>
#include <vector>

#include "util/duration.h"

namespace ketcd::backup {
namespace {

// One field ("*/15", "1-5", "0,30") into `bits`, values within [low, high].
template <size_t N>
Status ParseField(const std::string& field, int low, int high, std::bitset<N>& bits) {
  std::stringstream items(field);
  for (std::string item; std::getline(items, item, ',');) {
    int step = 1, from = low, to = high;
    const size_t slash = item.find('/');
    std::string range = item.substr(0, slash);
    try {
      if (slash != std::string::npos) step = std::stoi(item.substr(slash + 1));
      if (range != "*") {
        const size_t dash = range.find('-');
        size_t used = 0;
        from = std::stoi(range.substr(0, dash), &used);
        if (used != range.substr(0, dash).size()) throw std::invalid_argument(range);
        to = dash == std::string::npos ? (slash == std::string::npos ? from : high) : std::stoi(range.substr(dash + 1));
      }
    } catch (const std::exception&) {
      return InvalidArgument("schedule field \"" + field + "\": not a number, range or step");
    }
    if (step < 1 || from < low || to > high || from > to) {
      return InvalidArgument("schedule field \"" + field + "\": outside " + std::to_string(low) + "-" +
                             std::to_string(high));
    }
    for (int value = from; value <= to; value += step) bits.set(static_cast<size_t>(value));
  }
  return Status::Ok();
}

}  // namespace

Result<Schedule> ParseSchedule(const std::string& text) {
  Schedule schedule;
  schedule.text_ = text;
  std::string spec = text;
  if (spec.starts_with("@every ")) {
    auto every = ParseDuration(spec.substr(7));
    if (!every.ok()) return every.status().WithContext("schedule " + text);
    schedule.every_ = std::max<int64_t>(1, every->count() / 1000);
    return schedule;
  }
  if (spec == "@hourly") spec = "0 * * * *";
  if (spec == "@daily" || spec == "@midnight") spec = "0 0 * * *";
  if (spec == "@weekly") spec = "0 0 * * 0";
  if (spec == "@monthly") spec = "0 0 1 * *";
  if (spec == "@yearly" || spec == "@annually") spec = "0 0 1 1 *";
  std::stringstream stream(spec);
  std::vector<std::string> fields;
  for (std::string field; stream >> field;) fields.push_back(field);
  if (fields.size() != 5) {
    return InvalidArgument("schedule \"" + text + "\": five fields (minute hour day month weekday), @daily or @every 6h");
  }
  std::bitset<8> weekdays;
  Status parsed = ParseField(fields[0], 0, 59, schedule.minutes_);
  if (parsed.ok()) parsed = ParseField(fields[1], 0, 23, schedule.hours_);
  if (parsed.ok()) parsed = ParseField(fields[2], 1, 31, schedule.days_);
  if (parsed.ok()) parsed = ParseField(fields[3], 1, 12, schedule.months_);
  if (parsed.ok()) parsed = ParseField(fields[4], 0, 7, weekdays);
  if (!parsed.ok()) return parsed.WithContext("schedule \"" + text + "\"");
  for (size_t day = 0; day < 7; ++day) schedule.weekdays_[day] = weekdays[day] || (day == 0 && weekdays[7]);
  schedule.any_day_ = fields[2] == "*";
  schedule.any_weekday_ = fields[4] == "*";
  return schedule;
}

int64_t Schedule::Next(int64_t after) const {
  if (every_ > 0) return (after / every_ + 1) * every_;  // aligned: every 6h runs at 00:00, 06:00...
  int64_t t = (after / 60 + 1) * 60;
  // At most ~5 years of days is scanned; a schedule like "0 0 31 2 *" never fires.
  for (int steps = 0; steps < 5 * 366 * 24 * 60; ++steps) {
    const std::time_t time = static_cast<std::time_t>(t);
    std::tm parts{};
    gmtime_r(&time, &parts);
    const bool day_matches = any_day_ && any_weekday_ ? true
                             : any_day_               ? weekdays_[parts.tm_wday]
                             : any_weekday_           ? days_[parts.tm_mday]
                                                      : days_[parts.tm_mday] || weekdays_[parts.tm_wday];
    if (!months_[parts.tm_mon + 1] || !day_matches) {  // skip to the next day
      t += (24 * 60 - (parts.tm_hour * 60 + parts.tm_min)) * 60;
      continue;
    }
    if (!hours_[parts.tm_hour]) {
      t += (60 - parts.tm_min) * 60;
      continue;
    }
    if (minutes_[parts.tm_min]) return t;
    t += 60;
  }
  return INT64_MAX;
}

}  // namespace ketcd::backup
