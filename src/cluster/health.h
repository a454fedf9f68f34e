// The cluster health report: everything an on-call needs to judge an etcd
// cluster in one look, and a verdict. Read from the member list, each
// member's status (asked concurrently, so a dead member costs one timeout),
// the alarms, and each https client URL's certificate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "etcd/client.h"
#include "etcd/connection_config.h"
#include "etcd/status_fields.h"

namespace ketcd::cluster {

struct HealthOptions {
  // etcd's default --quota-backend-bytes; members of 3.6+ report their own.
  int64_t quota_bytes = int64_t{2} << 30;
  uint64_t max_lag = 1000;                 // raft entries behind the leader
  int cert_warning_days = 30;
};

struct MemberHealth {
  uint64_t id = 0;
  std::string name;  // empty for a member added but never started
  std::vector<std::string> peer_urls, client_urls;
  bool learner = false;
  std::string error;  // why its status could not be read; empty when it answered
  std::string version;
  std::string storage_version;             // 3.6+: the schema of its db ("3.6.0")
  int64_t db_size_quota = 0;               // 3.6+: its --quota-backend-bytes; 0 before
  std::optional<etcd::DowngradeInfo> downgrade;  // 3.6+
  int64_t db_size = 0, db_size_in_use = 0;
  uint64_t raft_term = 0, raft_index = 0, raft_applied_index = 0;
  std::optional<uint64_t> lag;               // leader's commit index - this member's applied index
  std::optional<int64_t> cert_not_after;     // Unix seconds, https endpoints
  uint64_t leader_seen = 0;                  // the leader this member names
  bool reachable() const { return error.empty(); }
};

struct HealthReport {
  std::vector<MemberHealth> members;  // in member-list order
  uint64_t leader_id = 0;             // 0: no member knows a leader
  std::vector<std::string> alarms;    // "NOSPACE on etcd-1"
  int64_t checked_at = 0;             // Unix seconds
  std::vector<std::string> problems;  // the verdict: empty = healthy
  std::vector<std::string> warnings;  // worth acting on, not failures
  const MemberHealth* Leader() const;
};

// "12d", "23h" (under two days), "EXPIRED".
std::string TimeLeft(int64_t seconds);

// kUnavailable when no endpoint of `config` answers the member list.
Result<HealthReport> CheckClusterHealth(const etcd::ConnectionConfig& config, const HealthOptions& options);

}  // namespace ketcd::cluster
