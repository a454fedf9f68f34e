#include "cluster/membership_steps.h"

#include <thread>

#include "etcd/member_lookup.h"
#include "util/hex_id.h"
#include "util/string_building.h"

namespace ketcd::cluster {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(250);

// Refusals etcd lifts by itself after a while.
bool Transient(const Status& status) {
  for (const char* text : {"unhealthy cluster", "in sync with leader", "leader changed", "no leader",
                           "too many requests", "timed out", "server stopped"}) {
    if (status.message().find(text) != std::string::npos) return true;
  }
  return status.code() == ErrorCode::kUnavailable;
}

// Calls `attempt` until it succeeds, fails for good, or the deadline passes.
template <typename T>
Result<T> Retry(Clock::time_point deadline, const std::function<Result<T>()>& attempt) {
  while (true) {
    Result<T> result = attempt();
    if (result.ok() || !Transient(result.status()) || Clock::now() >= deadline) return result;
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace

Result<etcd::pb::Member> FindMember(etcd::EtcdClient& client, const std::string& ref) {
  auto list = client.MemberList();
  if (!list.ok()) return list.status();
  auto id = etcd::ResolveMemberId(*list, ref);
  if (!id.ok()) return id.status();
  for (const auto& member : list->members()) {
    if (member.id() == *id) return member;
  }
  return NotFound("member " + ref);
}

Result<uint64_t> AddLearner(etcd::EtcdClient& client, const std::string& peer_url, Clock::time_point deadline) {
  return Retry<uint64_t>(deadline, [&]() -> Result<uint64_t> {
    auto added = client.MemberAdd({peer_url}, true);
    if (!added.ok()) return added.status();
    return added->member().id();
  });
}

Status RemoveMember(etcd::EtcdClient& client, uint64_t id, Clock::time_point deadline) {
  return Retry<bool>(deadline, [&]() -> Result<bool> {
           auto removed = client.MemberRemove(id);
           if (removed.ok()) return true;
           // A member that answers its own removal stops before replying
           // ("server stopped"): whether it is gone is the member list's say.
           auto list = client.MemberList();
           if (list.ok()) {
             bool listed = false;
             for (const auto& member : list->members()) listed = listed || member.id() == id;
             if (!listed) return true;
           }
           return removed.status();
         }).status();
}

Status PromoteLearner(etcd::EtcdClient& client, uint64_t id, Clock::time_point deadline) {
  return Retry<bool>(deadline, [&]() -> Result<bool> {
           auto promoted = client.MemberPromote(id);
           if (!promoted.ok()) return promoted.status();
           return true;
         }).status();
}

Result<std::string> InitialClusterWith(etcd::EtcdClient& client, uint64_t new_id, const std::string& new_name) {
  auto list = client.MemberList();
  if (!list.ok()) return list.status();
  std::string initial_cluster;
  for (const auto& member : list->members()) {
    const std::string name = member.id() == new_id ? new_name : member.name();
    if (name.empty()) return Failed("member " + HexId(member.id()) + " was added but never started; remove it first");
    for (const auto& url : member.peerurls()) AppendToList(initial_cluster, name + "=" + url);
  }
  return initial_cluster;
}

Status WaitCaughtUp(const etcd::ConnectionConfig& config, uint64_t id, uint64_t max_lag, Clock::time_point deadline) {
  std::string last = "not started";
  while (Clock::now() < deadline) {
    auto report = CheckClusterHealth(config, {});
    if (report.ok()) {
      for (const MemberHealth& member : report->members) {
        if (member.id != id) continue;
        if (member.name.empty()) {
          last = "not started (not named in the member list yet)";
        } else if (!member.reachable()) {
          last = "started but its client URL does not answer: " + member.error;
        } else if (!member.lag) {
          last = "no leader to compare with";
        } else if (*member.lag <= max_lag) {
          return Status::Ok();
        } else {
          last = std::to_string(*member.lag) + " raft entries behind";
        }
      }
    } else {
      last = report.status().message();
    }
    std::this_thread::sleep_for(kPoll);
  }
  return Failed("member " + HexId(id) + " did not catch up in time: " + last);
}

Result<HealthReport> WaitHealthy(const etcd::ConnectionConfig& config, Clock::time_point deadline) {
  std::string last;
  while (true) {
    auto report = CheckClusterHealth(config, {});
    if (report.ok() && report->problems.empty()) return report;
    last = report.ok() ? report->problems.front() : report.status().message();
    if (Clock::now() >= deadline) return Failed("cluster not healthy: " + last);
    std::this_thread::sleep_for(kPoll);
  }
}

Status MoveLeadership(const etcd::ConnectionConfig& config, uint64_t leader_id, uint64_t to_id) {
  auto client = etcd::EtcdClient::Create(config);
  if (!client.ok()) return client.status();
  KETCD_RETURN_IF_ERROR((*client)->Connect());
  auto list = (*client)->MemberList();
  if (!list.ok()) return list.status();
  etcd::ConnectionConfig to_leader = config;
  to_leader.endpoints.clear();
  for (const auto& member : list->members()) {
    if (member.id() == leader_id) to_leader.endpoints.assign(member.clienturls().begin(), member.clienturls().end());
  }
  if (to_leader.endpoints.empty()) return Failed("leader " + HexId(leader_id) + " has no client URL");
  auto leader = etcd::EtcdClient::Create(to_leader);
  if (!leader.ok()) return leader.status();
  auto moved = (*leader)->MoveLeader(0, to_id);
  return moved.ok() ? Status::Ok() : moved.status().WithContext("move leader");
}

}  // namespace ketcd::cluster
