// ketcd cluster health: the whole cluster in one report, with a verdict.
#include <CLI/CLI.hpp>
#include <ctime>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cluster/health.h"
#include "cluster/replace_member.h"
#include "cluster/rolling_migration.h"
#include "util/durable_file.h"
#include "util/duration.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

std::string Role(const cluster::HealthReport& report, const cluster::MemberHealth& member) {
  if (member.learner) return "learner";
  return member.id == report.leader_id ? "leader" : "follower";
}

std::string CertText(const cluster::HealthReport& report, const cluster::MemberHealth& member) {
  return member.cert_not_after ? cluster::TimeLeft(*member.cert_not_after - report.checked_at) : "-";
}

Json ReportJson(const cluster::HealthReport& report) {
  Json members = Json::array();
  for (const auto& m : report.members) {
    Json item = {{"id", HexId(m.id)}, {"name", m.name}, {"peerURLs", m.peer_urls}, {"clientURLs", m.client_urls},
                 {"role", Role(report, m)}, {"reachable", m.reachable()}};
    if (!m.reachable()) {
      item["error"] = m.error;
    } else {
      item["version"] = m.version;
      if (!m.storage_version.empty()) item["storageVersion"] = m.storage_version;
      if (m.db_size_quota > 0) item["dbSizeQuota"] = m.db_size_quota;
      if (m.downgrade) {
        item["downgrade"] = {{"enabled", m.downgrade->enabled},
                             {"targetVersion", m.downgrade->target_version}};
      }
      item["dbSize"] = m.db_size;
      item["dbSizeInUse"] = m.db_size_in_use;
      item["raftTerm"] = m.raft_term;
      item["raftIndex"] = m.raft_index;
      item["raftAppliedIndex"] = m.raft_applied_index;
    }
    if (m.lag) item["lag"] = *m.lag;
    if (m.cert_not_after) item["certNotAfter"] = *m.cert_not_after;
    members.push_back(std::move(item));
  }
  return {{"healthy", report.problems.empty()}, {"leader", report.leader_id ? HexId(report.leader_id) : ""},
          {"members", std::move(members)}, {"alarms", report.alarms}, {"problems", report.problems},
          {"warnings", report.warnings}};
}

Status Health(CommandContext& context, const cluster::HealthOptions& options) {
  auto connection = context.Connection();
  if (!connection.ok()) return connection.status();
  auto report = cluster::CheckClusterHealth(connection->config, options);
  if (!report.ok()) return report.status();
  std::ostream& out = *context.out;
  if (IsStructured(context.format)) {
    PrintDocument(out, ReportJson(*report), context.format);
  } else {
    const cluster::MemberHealth* leader = report->Leader();
    int voters = 0;
    for (const auto& m : report->members) voters += m.learner ? 0 : 1;
    out << "Cluster: " << report->members.size() << " members (" << voters << " voting), leader "
        << (leader ? (leader->name.empty() ? HexId(leader->id) : leader->name) : "NONE") << "\n\n";
    Table table({"NAME", "ID", "ROLE", "STATUS", "VERSION", "STORAGE", "DB SIZE", "IN USE", "RAFT TERM",
                 "RAFT INDEX", "LAG", "CLIENT URL", "CERT EXPIRES"});
    for (const auto& m : report->members) {
      const bool up = m.reachable();
      table.AddRow({m.name.empty() ? "(unstarted)" : m.name, HexId(m.id), Role(*report, m), up ? "ok" : "UNREACHABLE",
                    up ? m.version : "-", up && !m.storage_version.empty() ? m.storage_version : "-",
                    up ? HumanBytes(m.db_size) : "-", up ? HumanBytes(m.db_size_in_use) : "-",
                    up ? std::to_string(m.raft_term) : "-", up ? std::to_string(m.raft_index) : "-",
                    m.lag ? std::to_string(*m.lag) : "-", m.client_urls.empty() ? "-" : m.client_urls.front(),
                    CertText(*report, m)});
    }
    table.Print(out);
    out << "\nAlarms: " << (report->alarms.empty() ? "none" : "") << "\n";
    for (const auto& alarm : report->alarms) out << "  " << alarm << "\n";
    out << "\nVerdict: " << (report->problems.empty() ? "HEALTHY" : "UNHEALTHY") << "\n";
    for (const auto& problem : report->problems) out << "  problem: " << problem << "\n";
    for (const auto& warning : report->warnings) out << "  warning: " << warning << "\n";
  }
  if (!report->problems.empty()) {
    return Failed("cluster unhealthy: " + std::to_string(report->problems.size()) + " problem(s), first: " +
                  report->problems.front());
  }
  return Status::Ok();
}

// A duration flag ("10m", "90s") in whole seconds.
Status ParseSeconds(const std::string& text, const char* flag, std::chrono::seconds* out) {
  auto duration = ParseDuration(text);
  if (!duration.ok()) return duration.status().WithContext(flag);
  *out = std::chrono::duration_cast<std::chrono::seconds>(*duration);
  return Status::Ok();
}

struct ReplaceFlags {
  cluster::ReplaceRequest request;
  std::string wait = "10m", manifest_out, image, backup;
  bool no_backup = false, apply = false;
};

Status ReplaceMember(CommandContext& context, ReplaceFlags flags) {
  KETCD_RETURN_IF_ERROR(ParseSeconds(flags.wait, "--wait", &flags.request.wait));
  if (!flags.no_backup) flags.request.backup_path = flags.backup.empty() ? DefaultBackupPath("before-replace") : flags.backup;
  auto connection = context.Connection();
  if (!connection.ok()) return connection.status();
  std::ostream& out = *context.out;
  if (!flags.apply) {
    auto plan = cluster::PlanReplaceMember(connection->config, flags.request);
    if (!plan.ok()) return plan.status();
    for (const auto& warning : plan->warnings) out << "warning: " << warning << "\n";
    out << "Plan:\n";
    for (size_t i = 0; i < plan->steps.size(); ++i) out << "  " << i + 1 << ". " << plan->steps[i] << "\n";
    out << "\nNothing was changed. Run again with --apply to replace the member.\n";
    return Status::Ok();
  }
  cluster::ReplaceHooks hooks;
  hooks.say = [&out](const std::string& line) { out << "- " << line << "\n" << std::flush; };
  hooks.member_added = [&](const cluster::JoiningMember& member) -> Status {
    out << "\netcd flags for " << member.name << " (a fresh, empty data dir):\n  etcd";
    for (const auto& flag : cluster::JoiningMemberFlags(member)) out << " \\\n    " << flag;
    out << "\n\n";
    if (flags.manifest_out.empty()) return Status::Ok();
    cluster::JoiningMember with_image = member;
    with_image.image = flags.image;
    KETCD_RETURN_IF_ERROR(WriteFileDurably(flags.manifest_out, cluster::KubeadmEtcdManifest(with_image), 0600,
                                           DurableFile::Existing::kReplace));
    out << "kubeadm static-pod manifest written to " << flags.manifest_out << "\n";
    return Status::Ok();
  };
  if (!flags.manifest_out.empty() && flags.image.empty()) {
    return InvalidArgument("--manifest-out needs --image (kubeadm's imageRepository/etcd:VERSION-0)");
  }
  auto joined = cluster::ReplaceMember(connection->config, flags.request, hooks);
  if (!joined.ok()) return joined.status();
  out << "\n" << joined->name << " replaced " << flags.request.member << "; the cluster is healthy.\n"
      << "Update --etcd-servers of every kube-apiserver if it named the old member's client URL.\n";
  return Status::Ok();
}

struct MigrateFlags {
  cluster::RollingMigrationRequest request;
  std::vector<std::string> to, client_urls;
  std::string wait = "10m", gate_wait = "20s", backup, state = "ketcd-cluster-migration.state";
  bool no_backup = false, apply = false;
};

// NAME=URL pairs, in order.
Result<std::vector<std::pair<std::string, std::string>>> NamedUrls(const std::vector<std::string>& items,
                                                                   const char* flag) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& item : items) {
    const size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size()) {
      return InvalidArgument(std::string(flag) + ": \"" + item + "\" is not NAME=URL");
    }
    pairs.emplace_back(item.substr(0, equals), item.substr(equals + 1));
  }
  return pairs;
}

Status MigrateCluster(CommandContext& context, MigrateFlags flags) {
  KETCD_RETURN_IF_ERROR(ParseSeconds(flags.wait, "--wait", &flags.request.wait));
  KETCD_RETURN_IF_ERROR(ParseSeconds(flags.gate_wait, "--gate-wait", &flags.request.gate_wait));
  auto to = NamedUrls(flags.to, "--to");
  if (!to.ok()) return to.status();
  auto client_urls = NamedUrls(flags.client_urls, "--client-urls");
  if (!client_urls.ok()) return client_urls.status();
  for (const auto& [name, peer_url] : *to) {
    cluster::NewHost host{name, peer_url, ""};
    for (const auto& [client_name, url] : *client_urls) {
      if (client_name == name) host.client_url = url;
    }
    // etcd's defaults: peers on 2380, clients on 2379.
    if (host.client_url.empty() && peer_url.ends_with(":2380")) {
      host.client_url = peer_url.substr(0, peer_url.size() - 4) + "2379";
    }
    if (host.client_url.empty()) return InvalidArgument(name + ": give its client URL with --client-urls " + name + "=URL");
    flags.request.to.push_back(host);
  }
  flags.request.state_path = flags.state;
  if (!flags.no_backup) flags.request.backup_path = flags.backup.empty() ? DefaultBackupPath("before-migration") : flags.backup;
  auto connection = context.Connection();
  if (!connection.ok()) return connection.status();
  std::ostream& out = *context.out;
  if (!flags.apply) {
    auto plan = cluster::PlanRollingMigration(connection->config, flags.request);
    if (!plan.ok()) return plan.status();
    out << (plan->resumed ? "Resuming (" + flags.state + "):\n" : "Plan (non-leaders first, the leader last):\n");
    for (size_t i = 0; i < plan->steps.size(); ++i) {
      const auto& step = plan->steps[i];
      out << "  " << i + 1 << ". " << step.old_name << " -> " << step.new_name
          << (step.done.empty() ? "" : " (done: " + step.done + ")") << "\n";
    }
    out << "Each: add as learner, start, wait until caught up, promote, move leadership if needed, remove the old "
           "member, stop it; health gate before every membership change.\n\nNothing was changed. Run again with "
           "--apply to migrate.\n";
    return Status::Ok();
  }
  auto urls = cluster::RunRollingMigration(connection->config, flags.request,
                                           [&out](const std::string& line) {
                                             char stamp[16];
                                             const std::time_t now = std::time(nullptr);
                                             std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::localtime(&now));
                                             out << stamp << " " << line << "\n" << std::flush;
                                           });
  if (!urls.ok()) return urls.status();
  std::string servers;
  for (const auto& url : *urls) AppendToList(servers, url);
  out << "\nMigration finished; the cluster is healthy on its new members.\n"
      << "kube-apiserver: --etcd-servers=" << servers << "\n";
  return Status::Ok();
}

}  // namespace

void AddClusterCommands(CLI::App& app, CommandContext& context) {
  auto* cluster_app = app.add_subcommand("cluster", "Whole-cluster operations: health, member replacement, migration, recovery");
  cluster_app->require_subcommand(1);
  auto bind_health = [](CLI::App& health, cluster::HealthOptions& options) {
    health.add_option("--quota-bytes", options.quota_bytes, "The members' --quota-backend-bytes")->capture_default_str();
    health.add_option("--max-lag", options.max_lag, "Raft entries a voting member may be behind the leader")
        ->capture_default_str();
    health.add_option("--cert-warning-days", options.cert_warning_days, "Warn about certificates expiring sooner")
        ->capture_default_str();
  };
  AddCommand<cluster::HealthOptions>(
      *cluster_app, context, "health",
      "Members, leader, lag, db size, alarms, versions, certificates; exit 1 when unhealthy", bind_health, Health);
  AddUpgradeCheckCommand(*cluster_app, context);
  AddRecoverCommand(*cluster_app, context);

  auto bind_replace = [](CLI::App& replace, ReplaceFlags& flags) {
    replace.add_option("MEMBER", flags.request.member, "Name or hex ID of the member to replace")->required();
    replace.add_option("--peer-url", flags.request.peer_url, "The new member's peer URL")->required();
    replace.add_option("--client-url", flags.request.client_url, "The new member's client URL")->required();
    replace.add_option("--name", flags.request.new_name, "The new member's name (default: the old one's)");
    replace.add_option("--member-data-dir", flags.request.data_dir, "Data dir on the new host")->capture_default_str();
    replace.add_option("--start-cmd", flags.request.start_command,
                       "Command that starts the new member; placeholders {name} {peer_url} {client_url} "
                       "{initial_cluster} {initial_cluster_state} (default: wait for you to start it)");
    replace.add_option("--manifest-out", flags.manifest_out, "Write a kubeadm etcd static-pod manifest here");
    replace.add_option("--image", flags.image, "etcd image for the manifest");
    replace.add_option("--backup", flags.backup, "Snapshot path (default: ./ketcd-before-replace-<time>.db)");
    replace.add_flag("--no-backup", flags.no_backup, "Skip the snapshot");
    replace.add_option("--wait", flags.wait, "How long each step may take")->capture_default_str();
    replace.add_option("--max-lag", flags.request.max_lag, "Raft entries behind that count as caught up")
        ->capture_default_str();
    replace.add_flag("--apply", flags.apply, "Do it (default: show the plan and the checks)");
  };
  AddCommand<ReplaceFlags>(*cluster_app, context, "replace-member",
                           "Replace a (failed) member by a new one, checking every step", bind_replace, ReplaceMember);

  auto bind_migrate = [](CLI::App& migrate, MigrateFlags& flags) {
    migrate.add_option("--to", flags.to, "New members NAME=PEER_URL, one per current member")
        ->required()->delimiter(',');
    migrate.add_option("--client-urls", flags.client_urls, "NAME=CLIENT_URL (default: the peer URL's host on 2379)")
        ->delimiter(',');
    migrate.add_option("--start-cmd", flags.request.start_command,
                       "Starts a new member; placeholders {name} {peer_url} {client_url} {initial_cluster} "
                       "{initial_cluster_state} (default: wait for you)");
    migrate.add_option("--stop-cmd", flags.request.stop_command, "Stops an old member ({name}) after its removal");
    migrate.add_option("--state", flags.state, "Progress file; run again with it to resume")->capture_default_str();
    migrate.add_option("--backup", flags.backup, "Snapshot path (default: ./ketcd-before-migration-<time>.db)");
    migrate.add_flag("--no-backup", flags.no_backup, "Skip the snapshot");
    migrate.add_option("--wait", flags.wait, "How long each step may take")->capture_default_str();
    migrate.add_option("--gate-wait", flags.gate_wait, "How long a health gate waits for the cluster to recover")
        ->capture_default_str();
    migrate.add_option("--max-lag", flags.request.max_lag, "Raft entries behind that count as caught up")
        ->capture_default_str();
    migrate.add_flag("--apply", flags.apply, "Do it (default: show the plan)");
  };
  AddCommand<MigrateFlags>(*cluster_app, context, "migrate", "Move the whole cluster to new hosts, one member at a time",
                           bind_migrate, MigrateCluster);
}

}  // namespace ketcd::cli
