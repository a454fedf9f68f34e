// The membership steps a member replacement and a cluster migration are
// made of, each waiting for etcd to accept it: etcd refuses changes for a
// few seconds after a member (re)connects ("unhealthy cluster") and refuses
// to promote a learner that has not caught up.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cluster/health.h"
#include "etcd/client.h"

namespace ketcd::cluster {

using Clock = std::chrono::steady_clock;

// A member of the current list by name or hex ID; kNotFound lists the names.
Result<etcd::pb::Member> FindMember(etcd::EtcdClient& client, const std::string& ref);

// Adds a learner with `peer_url`; returns its ID.
Result<uint64_t> AddLearner(etcd::EtcdClient& client, const std::string& peer_url, Clock::time_point deadline);
Status RemoveMember(etcd::EtcdClient& client, uint64_t id, Clock::time_point deadline);
// Promotes once the learner has caught up (etcd checks it).
Status PromoteLearner(etcd::EtcdClient& client, uint64_t id, Clock::time_point deadline);

// --initial-cluster for a member joining now: every member's name=peer URL,
// the new one (unnamed until it starts) as `new_name`.
Result<std::string> InitialClusterWith(etcd::EtcdClient& client, uint64_t new_id, const std::string& new_name);

// Waits until member `id` has started (named in the member list) and its
// applied index is within `max_lag` of the leader's commit index.
Status WaitCaughtUp(const etcd::ConnectionConfig& config, uint64_t id, uint64_t max_lag,
                    Clock::time_point deadline);

// Waits until `CheckClusterHealth` finds no problem and returns that
// report; the last report's problems are the error.
Result<HealthReport> WaitHealthy(const etcd::ConnectionConfig& config, Clock::time_point deadline);

// Moves leadership from `leader_id` (the current leader) to `to_id`.
Status MoveLeadership(const etcd::ConnectionConfig& config, uint64_t leader_id, uint64_t to_id);

}  // namespace ketcd::cluster
