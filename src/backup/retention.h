// Which backups to keep: the newest N ("keep_last") and grandfather-
// father-son: the newest backup of each of the last `hourly` hours,
// `daily` days, `weekly` ISO weeks (Monday first) and `monthly` months
// that have a backup, all in UTC. A backup kept by any rule stays. With no
// rule set, everything stays: a missing setting never deletes backups.
#pragma once

#include <cstdint>
#include <cstddef>
#include <set>
#include <vector>

namespace ketcd::backup {

struct RetentionPolicy {
  int keep_last = 0;
  int hourly = 0, daily = 0, weekly = 0, monthly = 0;
  bool keeps_everything() const { return keep_last + hourly + daily + weekly + monthly == 0; }
};

// `created`: the backups' creation times (Unix seconds), any order.
// Returns the indexes into it of the backups to keep.
std::set<size_t> BackupsToKeep(const std::vector<int64_t>& created, const RetentionPolicy& policy);

}  // namespace ketcd::backup
