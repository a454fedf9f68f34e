#include "cluster/health.h"

#include <ctime>
#include <functional>
#include <future>
#include <memory>
#include <map>
#include <set>

#include "cluster/tls_probe.h"
#include "util/hex_id.h"
#include "util/string_building.h"

namespace ketcd::cluster {
namespace {

std::string MemberLabel(const MemberHealth& member) {
  return member.name.empty() ? HexId(member.id) + " (not started)" : member.name;
}

}  // namespace

std::string TimeLeft(int64_t seconds) {
  if (seconds <= 0) return "EXPIRED";
  return seconds >= 2 * 86400 ? std::to_string(seconds / 86400) + "d" : std::to_string(seconds / 3600) + "h";
}

namespace {

std::string Percent(int64_t part, int64_t whole) {
  return std::to_string(whole > 0 ? part * 100 / whole : 0) + "%";
}

// A client for one member's first client URL, or null (member.error says why).
std::unique_ptr<etcd::EtcdClient> MemberClient(const etcd::ConnectionConfig& config, MemberHealth& member) {
  if (member.client_urls.empty()) {
    member.error = member.name.empty() ? "added but not started yet" : "no client URL";
    return nullptr;
  }
  etcd::ConnectionConfig single = config;
  single.endpoints = {member.client_urls.front()};
  auto client = etcd::EtcdClient::Create(single);
  if (!client.ok()) {
    member.error = client.status().message();
    return nullptr;
  }
  return std::move(*client);
}

// Runs `probe` on every member with a client, concurrently, so a dead
// member costs one timeout.
void ForEachMember(std::vector<MemberHealth>& members, std::vector<std::unique_ptr<etcd::EtcdClient>>& clients,
                   const std::function<void(etcd::EtcdClient&, MemberHealth&)>& probe) {
  std::vector<std::future<void>> running;
  for (size_t i = 0; i < members.size(); ++i) {
    if (clients[i] == nullptr || !members[i].reachable()) continue;
    running.push_back(std::async(std::launch::async, [&, i] { probe(*clients[i], members[i]); }));
  }
  for (auto& task : running) task.get();
}

// Reads one member's status (and certificate).
void Probe(const etcd::ConnectionConfig& config, etcd::EtcdClient& client, MemberHealth& member) {
  auto status = client.EndpointStatus(0);
  if (!status.ok()) {
    member.error = status.status().message();
  } else {
    member.version = status->version();
    const etcd::StatusFieldsSince36 since_36 = etcd::ReadStatusFieldsSince36(*status);
    member.storage_version = since_36.storage_version;
    member.db_size_quota = since_36.db_size_quota;
    member.downgrade = since_36.downgrade;
    member.db_size = status->dbsize();
    member.db_size_in_use = status->dbsizeinuse();
    member.raft_term = status->raftterm();
    member.raft_index = status->raftindex();
    member.raft_applied_index = status->raftappliedindex();
    member.leader_seen = status->leader();
  }
  if (member.client_urls.front().starts_with("https://")) {
    auto not_after = ServerCertificateNotAfter(member.client_urls.front(), {config.cert_file, config.key_file},
                                               config.dial_timeout);
    if (not_after.ok()) member.cert_not_after = *not_after;
  }
}

void Judge(const HealthOptions& options, HealthReport& report) {
  int voters = 0, reachable_voters = 0;
  std::set<std::string> versions;
  for (const MemberHealth& member : report.members) {
    if (!member.learner) ++voters;
    if (!member.learner && member.reachable()) ++reachable_voters;
    const std::string label = MemberLabel(member);
    if (!member.reachable()) {
      report.problems.push_back(label + " is unreachable: " + member.error);
      continue;
    }
    versions.insert(member.version);
    if (member.learner) {
      report.warnings.push_back(label + " is a learner (not voting" +
                                (member.lag ? ", " + std::to_string(*member.lag) + " entries behind)" : ")"));
    }
    if (member.lag && *member.lag > options.max_lag && !member.learner) {
      report.problems.push_back(label + " lags the leader by " + std::to_string(*member.lag) + " raft entries");
    }
    const int64_t quota = member.db_size_quota > 0 ? member.db_size_quota : options.quota_bytes;
    if (member.db_size * 10 > quota * 8) {
      report.problems.push_back(label + " database is " + Percent(member.db_size, quota) +
                                " of the quota (" + std::to_string(quota) + " bytes): compact and defragment");
    }
    if (member.downgrade && member.downgrade->enabled) {
      report.warnings.push_back(label + " reports a downgrade to " + member.downgrade->target_version +
                                " in progress: finish it (replace binaries) or cancel it");
    }
    if (member.db_size > (int64_t{100} << 20) && member.db_size_in_use * 2 < member.db_size) {
      report.warnings.push_back(label + " database is " + Percent(member.db_size - member.db_size_in_use, member.db_size) +
                                " free pages: `ketcd defrag` would return them");
    }
    if (member.cert_not_after) {
      const int64_t left = *member.cert_not_after - report.checked_at;
      if (left <= 0) {
        report.problems.push_back(label + " serves an expired TLS certificate");
      } else if (left < int64_t{options.cert_warning_days} * 86400) {
        report.warnings.push_back(label + " TLS certificate expires in " + TimeLeft(left));
      }
    }
  }
  if (report.leader_id == 0) report.problems.push_back("no leader");
  if (reachable_voters < voters / 2 + 1) {
    report.problems.push_back("quorum lost: " + std::to_string(reachable_voters) + " of " + std::to_string(voters) +
                              " voting members reachable, " + std::to_string(voters / 2 + 1) + " needed");
  } else if (voters > 1 && reachable_voters == voters / 2 + 1) {
    report.warnings.push_back("one more voting member down loses quorum");
  }
  for (const std::string& alarm : report.alarms) report.problems.push_back("alarm " + alarm);
  if (versions.size() > 1) {
    std::string list;
    for (const auto& version : versions) AppendToList(list, version, ", ");
    report.warnings.push_back("members run different versions (" + list + "): finish the upgrade");
  }
}

}  // namespace

const MemberHealth* HealthReport::Leader() const {
  for (const MemberHealth& member : members) {
    if (member.id == leader_id) return &member;
  }
  return nullptr;
}

Result<HealthReport> CheckClusterHealth(const etcd::ConnectionConfig& config, const HealthOptions& options) {
  auto client = etcd::EtcdClient::Create(config);
  if (!client.ok()) return client.status();
  KETCD_RETURN_IF_ERROR((*client)->Connect());
  auto list = (*client)->MemberList();
  if (!list.ok()) return list.status();
  HealthReport report;
  report.checked_at = std::time(nullptr);
  for (const auto& member : list->members()) {
    MemberHealth health;
    health.id = member.id();
    health.name = member.name();
    health.learner = member.islearner();
    health.peer_urls.assign(member.peerurls().begin(), member.peerurls().end());
    health.client_urls.assign(member.clienturls().begin(), member.clienturls().end());
    report.members.push_back(std::move(health));
  }
  std::vector<std::unique_ptr<etcd::EtcdClient>> clients;
  for (MemberHealth& member : report.members) clients.push_back(MemberClient(config, member));
  ForEachMember(report.members, clients,
                [&config](etcd::EtcdClient& client, MemberHealth& member) { Probe(config, client, member); });

  // The leader as most members see it.
  std::map<uint64_t, int> votes;
  for (const MemberHealth& member : report.members) {
    if (member.reachable() && member.leader_seen != 0) ++votes[member.leader_seen];
  }
  for (const auto& [id, count] : votes) {
    if (report.leader_id == 0 || count > votes[report.leader_id]) report.leader_id = id;
  }
  // Lag: the leader's commit index read first, then each member's applied
  // index. The leader's index only grows, so what a member has not applied
  // of it is a lower bound of how far behind it was when it answered
  // (comparing statuses read concurrently would not be).
  for (size_t i = 0; i < report.members.size(); ++i) {
    if (report.members[i].id != report.leader_id || clients[i] == nullptr || !report.members[i].reachable()) continue;
    auto leader_status = clients[i]->EndpointStatus(0);
    if (!leader_status.ok()) break;
    const uint64_t committed = leader_status->raftindex();
    ForEachMember(report.members, clients, [committed](etcd::EtcdClient& client, MemberHealth& member) {
      auto status = client.EndpointStatus(0);
      if (!status.ok()) return;
      member.raft_applied_index = status->raftappliedindex();
      member.lag = committed > member.raft_applied_index ? committed - member.raft_applied_index : 0;
    });
  }
  auto alarms = (*client)->Alarm([] {
    etcd::pb::AlarmRequest request;
    request.set_action(etcd::pb::AlarmRequest::GET);
    return request;
  }());
  // Listing alarms goes through raft: without quorum it cannot answer,
  // which the verdict reports rather than failing the whole report.
  if (!alarms.ok()) report.problems.push_back("cannot list alarms: " + alarms.status().message());
  for (const auto& alarm : alarms.ok() ? alarms->alarms() : decltype(alarms->alarms()){}) {
    std::string on = HexId(alarm.memberid());
    for (const MemberHealth& member : report.members) {
      if (member.id == alarm.memberid() && !member.name.empty()) on = member.name;
    }
    report.alarms.push_back(etcd::pb::AlarmType_Name(alarm.alarm()) + " on " + on);
  }
  Judge(options, report);
  return report;
}

}  // namespace ketcd::cluster
