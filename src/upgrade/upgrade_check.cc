#include "upgrade/upgrade_check.h"

#include <optional>

#include "util/etcd_version.h"
#include "util/hex_id.h"

namespace ketcd::upgrade {
namespace {

constexpr int kSafe35Patch = 26;  // 3.5.26 reconciles v2/v3 membership before 3.6
constexpr int kQuotaPercentBlocking = 80;

std::string MemberName(const cluster::MemberHealth& member) {
  return (member.name.empty() ? std::string("(unstarted)") : member.name) + " (" + HexId(member.id) + ")";
}

std::string Named(uint64_t id, const std::string& name) {
  return (name.empty() ? std::string() : name + " ") + "(" + HexId(id) + ")";
}

void Block(UpgradeReport& report, std::string check, std::string subject, std::string message,
           std::string action) {
  report.findings.push_back({true, std::move(check), std::move(subject), std::move(message), std::move(action)});
}

void Pass(UpgradeReport& report, std::string check, std::string subject, std::string message) {
  report.findings.push_back({false, std::move(check), std::move(subject), std::move(message), ""});
}

void CheckServerVersion(const cluster::MemberHealth& member, UpgradeReport& report) {
  const std::string subject = MemberName(member);
  const int to = report.to_minor;
  auto version = ParseEtcdVersion(member.version);
  if (!version) {
    Block(report, "version", subject, "reports version \"" + member.version + "\"", "check what runs there");
    return;
  }
  if (version->minor == to) {
    Pass(report, "version", subject, "already runs " + member.version);
  } else if (version->minor != to - 1) {
    Block(report, "version", subject, "runs " + member.version + ", not 3." + std::to_string(to - 1),
          version->minor < to - 1 ? "upgrade one minor version at a time: to 3." +
                                        std::to_string(version->minor + 1) + " first"
                                  : "a newer member than the target: finish or undo that upgrade first");
  } else if (to == 6 && version->patch < kSafe35Patch) {
    Block(report, "version", subject,
          "runs " + member.version + ": 3.5 -> 3.6 is safe only from 3.5." + std::to_string(kSafe35Patch) +
              " (earlier 3.5 can leave members in one membership store and not the other)",
          "upgrade every member to the latest 3.5 patch release first, one at a time");
  } else {
    Pass(report, "version", subject, "runs " + member.version);
  }
}

}  // namespace

bool UpgradeReport::ready() const {
  for (const Finding& finding : findings) {
    if (finding.blocking) return false;
  }
  return true;
}

Result<int> ParseTarget(const std::string& to) {
  if (to == "3.6") return 6;
  if (to == "3.7") return 7;
  return InvalidArgument("--to " + to + ": ketcd checks upgrades to 3.6 and 3.7");
}

void CheckOnline(const cluster::HealthReport& health, UpgradeReport& report) {
  for (const cluster::MemberHealth& member : health.members) {
    const std::string subject = MemberName(member);
    if (!member.reachable()) {
      Block(report, "reachable", subject, "does not answer: " + member.error,
            "bring it back (or replace it: ketcd cluster replace-member) before upgrading any member");
      continue;
    }
    CheckServerVersion(member, report);
    if (member.learner) {
      Block(report, "learner", subject, "is a learner",
            "promote it (etcdctl member promote) or remove it before the upgrade");
    }
    if (member.downgrade && member.downgrade->enabled) {
      Block(report, "downgrade", subject,
            "reports a downgrade to " + member.downgrade->target_version + " in progress",
            "finish it or cancel it (etcdctl downgrade cancel) first");
    }
    const int64_t quota = member.db_size_quota > 0 ? member.db_size_quota : int64_t{2} << 30;
    if (member.db_size * 100 > quota * kQuotaPercentBlocking) {
      Block(report, "space", subject,
            "database is " + std::to_string(member.db_size * 100 / quota) + "% of its quota",
            "compact and defragment (ketcd compact, ketcd defrag) before the upgrade");
    }
  }
  for (const std::string& alarm : health.alarms) {
    Block(report, "alarm", "", "alarm " + alarm + " is raised", "resolve its cause and disarm it first");
  }
  if (health.leader_id == 0) Block(report, "leader", "", "no member knows a leader", "restore quorum first");
}

void CheckClusterVersion(const std::string& cluster_version, const std::string& error,
                         const cluster::HealthReport& health, UpgradeReport& report) {
  const auto cluster = ParseEtcdVersion(cluster_version);
  if (!cluster) {
    Pass(report, "cluster-version", "", "cluster version unknown: " + (error.empty() ? cluster_version : error));
    return;
  }
  std::optional<int> lowest;
  for (const cluster::MemberHealth& member : health.members) {
    auto server = member.reachable() ? ParseEtcdVersion(member.version) : std::nullopt;
    if (server && (!lowest || server->minor < *lowest)) lowest = server->minor;
  }
  if (lowest && cluster->minor < *lowest) {
    Block(report, "cluster-version", "",
          "cluster version " + cluster_version + " while every member runs 3." + std::to_string(*lowest) +
              ": the previous upgrade has not finished",
          "wait for the leader to raise it (seconds); if it stays, find the member that still reports an "
          "older version");
    return;
  }
  Pass(report, "cluster-version", "", "cluster version " + cluster_version);
}

void CheckDataDir(const std::string& data_dir, const restore::DataDirMembership& membership,
                  UpgradeReport& report) {
  const int to = report.to_minor;
  bool membership_agrees = true;
  // Members of `one` store missing from `other`, each a blocker.
  auto missing = [&](const std::map<uint64_t, std::string>& one, const std::map<uint64_t, std::string>& other,
                     const std::string& where, const std::string& action) {
    for (const auto& [id, name] : one) {
      if (other.count(id)) continue;
      membership_agrees = false;
      Block(report, "membership", data_dir, "member " + Named(id, name) + " is " + where, action);
    }
  };
  const std::string safe = "3.5." + std::to_string(kSafe35Patch) + "+";
  missing(membership.raft_members, membership.backend_members,
          "in raft's membership (v2 store / WAL) but not in the backend's \"members\" bucket, where "
          "etcd 3.6 reads membership from",
          "on " + safe + ", remove and re-add the member (etcdctl member remove/add) so both stores "
          "agree, then check again");
  missing(membership.backend_members, membership.raft_members,
          "in the backend's \"members\" bucket but not in raft's membership: a zombie member etcd 3.6 "
          "would bring back",
          "upgrade to " + safe + " first (it removes such members on start), then check again");
  if (membership_agrees) {
    Pass(report, "membership", data_dir,
         std::to_string(membership.backend_members.size()) + " members, the same in both stores");
  }
  if (!membership.v2_custom_paths.empty()) {
    Block(report, "v2store", data_dir,
          std::to_string(membership.v2_custom_paths.size()) + " v2 API key(s) in the v2 store (first: " +
              membership.v2_custom_paths.front() + "), which etcd 3.6+ no longer load",
          "copy what is still needed out through the v2 API, delete those keys, and wait for a new raft snapshot");
  }
  if (to == 7 && membership.v2_requests_after_snapshot > 0) {
    Block(report, "wal", data_dir,
          std::to_string(membership.v2_requests_after_snapshot) +
              " v2 request(s) written by 3.5 in the WAL after the newest raft snapshot: etcd 3.7 "
              "cannot replay them and panics on start",
          "let this member take a raft snapshot on 3.6 first (after --snapshot-count entries, "
          "10000 by default; a lower value for one restart is enough), then check again");
  }
  if (auto storage = ParseEtcdVersion(membership.storage_version); storage && storage->minor > to) {
    Block(report, "storage", data_dir, "storage version " + membership.storage_version + " is newer than 3." +
                                           std::to_string(to),
          "this member was already upgraded further: do not downgrade it by replacing the binary");
  }
  if (auto cluster = ParseEtcdVersion(membership.cluster_version); cluster && cluster->minor < to - 1) {
    Block(report, "cluster-version", data_dir,
          "cluster version " + membership.cluster_version + ": the upgrade to 3." + std::to_string(to - 1) +
              " never finished",
          "run every member on 3." + std::to_string(to - 1) + " until the cluster version follows, then check again");
  }
}

}  // namespace ketcd::upgrade
