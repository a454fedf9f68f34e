// Moving a whole etcd cluster to new hosts, one member at a time, without
// losing quorum or an acknowledged write. For each old member (non-leaders
// first, the leader last):
//   add the new member as a learner -> start it -> wait until it caught up
//   -> promote it -> (move leadership off the old member if it leads)
//   -> remove the old member -> stop it
// with a health gate before every membership change. When the new member
// never catches up, the step is rolled back (learner removed and stopped)
// and the cluster is left as it was; when another member fails, the tool
// stops with no further membership change. Progress is kept in a state
// file after every step, so a run that dies is resumed by running it again.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "etcd/connection_config.h"

namespace ketcd::cluster {

struct NewHost {
  std::string name, peer_url, client_url;
};

struct RollingMigrationRequest {
  std::vector<NewHost> to;  // as many as the cluster has voting members
  std::string start_command, stop_command;  // host_command.h templates
  std::string state_path;
  std::string backup_path;  // empty: no snapshot first
  std::chrono::seconds wait{600};
  // How long a health gate waits for a transient problem (an election, a
  // new member's lag right after promotion) before stopping.
  std::chrono::seconds gate_wait{20};
  uint64_t max_lag = 1000;
};

struct MigrationStep {
  std::string old_name, new_name;
  uint64_t old_id = 0, new_id = 0;
  std::string done;  // "", "added", "started", "promoted", "removed", "stopped"
};

struct RollingMigrationPlan {
  std::vector<MigrationStep> steps;  // in the order they run
  bool resumed = false;              // read from the state file
};

// Pairs old members with new hosts (or reads the state file) and checks
// the request, changing nothing.
Result<RollingMigrationPlan> PlanRollingMigration(const etcd::ConnectionConfig& config,
                                                  const RollingMigrationRequest& request);

// Runs (or resumes) the migration; `say` gets one line per action. Returns
// the new members' client URLs, for the API servers' --etcd-servers.
Result<std::vector<std::string>> RunRollingMigration(const etcd::ConnectionConfig& config,
                                                     const RollingMigrationRequest& request,
                                                     const std::function<void(const std::string&)>& say);

}  // namespace ketcd::cluster
