// ketcd cluster health: the whole cluster in one report, with a verdict.
#include <CLI/CLI.hpp>
#include <ctime>

#include "cli/commands.h"
#include "cluster/health.h"

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
    Table table({"NAME", "ID", "ROLE", "STATUS", "VERSION", "DB SIZE", "IN USE", "RAFT TERM", "RAFT INDEX", "LAG",
                 "CLIENT URL", "CERT EXPIRES"});
    for (const auto& m : report->members) {
      const bool up = m.reachable();
      table.AddRow({m.name.empty() ? "(unstarted)" : m.name, HexId(m.id), Role(*report, m), up ? "ok" : "UNREACHABLE",
                    up ? m.version : "-", up ? HumanBytes(m.db_size) : "-", up ? HumanBytes(m.db_size_in_use) : "-",
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

}  // namespace

void AddClusterCommands(CLI::App& app, CommandContext& context) {
  auto* cluster_app = app.add_subcommand("cluster", "Whole-cluster operations: health, member replacement, migration");
  cluster_app->require_subcommand(1);
  auto options = std::make_shared<cluster::HealthOptions>();
  auto* health = cluster_app->add_subcommand("health", "Members, leader, lag, db size, alarms, versions, certificates; exit 1 when unhealthy");
  health->add_option("--quota-bytes", options->quota_bytes, "The members' --quota-backend-bytes")->capture_default_str();
  health->add_option("--max-lag", options->max_lag, "Raft entries a voting member may be behind the leader")
      ->capture_default_str();
  health->add_option("--cert-warning-days", options->cert_warning_days, "Warn about certificates expiring sooner")
      ->capture_default_str();
  health->callback([&context, options] { context.action = [&context, options] { return Health(context, *options); }; });
}

}  // namespace ketcd::cli
