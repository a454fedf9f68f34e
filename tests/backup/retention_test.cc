// Retention over simulated months with a fake clock: a backup every 6
// hours for 400 days, pruned after each one as the service does; exactly
// the grandfather-father-son set survives, computed here independently
// from calendar strings.
#include "backup/retention.h"

#include <gtest/gtest.h>

#include <ctime>
#include <map>

namespace ketcd::backup {
namespace {

std::string Format(int64_t t, const char* format) {
  char text[32];
  const std::time_t time = t;
  std::strftime(text, sizeof text, format, std::gmtime(&time));
  return text;
}

// The newest backup of each of the last `count` periods named by `format`.
std::set<int64_t> NewestPerPeriod(const std::vector<int64_t>& times, const char* format, int count) {
  std::map<std::string, int64_t> newest;
  for (int64_t t : times) newest[Format(t, format)] = std::max(newest[Format(t, format)], t);
  std::set<int64_t> kept;
  for (auto it = newest.rbegin(); it != newest.rend() && count > 0; ++it, --count) kept.insert(it->second);
  return kept;
}

TEST(RetentionTest, GrandfatherFatherSonOverSimulatedMonths) {
  const RetentionPolicy policy{.keep_last = 3, .hourly = 6, .daily = 7, .weekly = 5, .monthly = 12};
  const int64_t start = 1767225600 + 3 * 3600;  // 2026-01-01T03:00:00Z
  std::vector<int64_t> stored, all;
  for (int64_t now = start; now < start + 400 * 86400; now += 6 * 3600) {
    stored.push_back(now);
    all.push_back(now);
    const std::set<size_t> keep = BackupsToKeep(stored, policy);
    std::vector<int64_t> survivors;
    for (size_t i = 0; i < stored.size(); ++i) {
      if (keep.count(i)) survivors.push_back(stored[i]);
    }
    stored = survivors;
  }
  std::set<int64_t> expected;
  for (size_t i = all.size() - 3; i < all.size(); ++i) expected.insert(all[i]);
  for (const auto& [format, count] : std::vector<std::pair<const char*, int>>{
           {"%Y%m%d%H", 6}, {"%Y%m%d", 7}, {"%G%V", 5}, {"%Y%m", 12}}) {
    auto kept = NewestPerPeriod(all, format, count);
    expected.insert(kept.begin(), kept.end());
  }
  EXPECT_EQ(std::set<int64_t>(stored.begin(), stored.end()), expected);
  EXPECT_EQ(stored.size(), expected.size());
  EXPECT_GE(stored.size(), 20u);
}

TEST(RetentionTest, NoRuleKeepsEverything) {
  EXPECT_EQ(BackupsToKeep({1, 2, 3}, {}).size(), 3u);
  EXPECT_EQ(BackupsToKeep({5, 9, 1}, {.keep_last = 1}), (std::set<size_t>{1}));
}

}  // namespace
}  // namespace ketcd::backup
