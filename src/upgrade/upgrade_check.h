// `cluster upgrade-check --to 3.6|3.7`: every known blocker of the next
// etcd minor upgrade, each with what to do, before a binary is replaced.
//
// Online (the cluster's members): each member's server version (one minor
// at a time; 3.5 -> 3.6 only from 3.5.26, which reconciles the membership
// stores, etcd issue 19557), unreachable members, alarms, a downgrade in
// progress, a database near its quota, learners, a cluster version that
// never followed its members.
// Offline (stopped members' data dirs): membership that differs between
// raft's view (v2 store + WAL) and the backend's "members" bucket (the
// zombie members that break 3.6), v2 store content 3.6+ no longer load, v2
// requests in the WAL that 3.7 cannot replay, a
// storage version newer than the target, a cluster version an earlier
// upgrade left behind.
#pragma once

#include <string>
#include <vector>

#include "cluster/health.h"
#include "restore/data_dir_membership.h"
#include "util/status.h"

namespace ketcd::upgrade {

struct Finding {
  bool blocking = true;
  std::string check;    // "version", "membership", "alarm", ...
  std::string subject;  // the member or data dir it is about; empty: the cluster
  std::string message;
  std::string action;   // what to do; empty for what is fine
};

struct UpgradeReport {
  int to_minor = 0;  // 6 for --to 3.6
  std::vector<Finding> findings;
  bool ready() const;
};

// "3.6" -> 6; kInvalidArgument unless 3.6 or 3.7 (the upgrades ketcd knows).
Result<int> ParseTarget(const std::string& to);

// The findings of a cluster health report (cluster/health.h).
void CheckOnline(const cluster::HealthReport& health, UpgradeReport& report);

// The cluster version (cluster_version.h; empty with `error` when it could
// not be read) against the members' server versions.
void CheckClusterVersion(const std::string& cluster_version, const std::string& error,
                         const cluster::HealthReport& health, UpgradeReport& report);

// The findings of one stopped member's data dir.
void CheckDataDir(const std::string& data_dir, const restore::DataDirMembership& membership,
                  UpgradeReport& report);

}  // namespace ketcd::upgrade
