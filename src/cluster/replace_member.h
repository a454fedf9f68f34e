// Replacing a failed (or any) etcd member by a new one, step by step with
// a check before each: quorum survives the removal, a snapshot is saved,
// the old member is removed, the new one is added as a learner, started
// (by the operator's command template, or by the operator while ketcd
// waits), promoted once caught up, and the cluster health-gated.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cluster/member_config.h"
#include "etcd/connection_config.h"

namespace ketcd::cluster {

struct ReplaceRequest {
  std::string member;  // name or hex ID of the member to replace
  std::string new_name;  // default: the old member's name
  std::string peer_url, client_url;
  std::string data_dir = "/var/lib/etcd";
  std::string start_command;  // host_command.h template; empty: the operator starts it
  std::string backup_path;    // empty: no snapshot first
  std::chrono::seconds wait{600};
  uint64_t max_lag = 1000;
};

struct ReplacePlan {
  std::vector<std::string> steps;     // what apply would do, in order
  std::vector<std::string> warnings;  // e.g. the member is healthy
};

struct ReplaceHooks {
  std::function<void(const std::string&)> say;               // one line per step
  std::function<Status(const JoiningMember&)> member_added;  // print flags, write the manifest
};

// The checks and the steps, changing nothing. kFailed when the
// replacement would lose quorum; kNotFound for an unknown member;
// kInvalidArgument for a peer URL another member uses.
Result<ReplacePlan> PlanReplaceMember(const etcd::ConnectionConfig& config, const ReplaceRequest& request);

// Re-checks, then performs the plan. The returned member is the new one.
Result<JoiningMember> ReplaceMember(const etcd::ConnectionConfig& config, const ReplaceRequest& request,
                                    const ReplaceHooks& hooks);

}  // namespace ketcd::cluster
