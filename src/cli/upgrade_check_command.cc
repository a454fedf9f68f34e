// ketcd cluster upgrade-check --to 3.6|3.7: the blockers of the next etcd
// minor upgrade (upgrade/upgrade_check.h), online from the cluster or
// offline from stopped members' data dirs; exit 0 only when nothing blocks.
#include <CLI/CLI.hpp>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "upgrade/cluster_version.h"
#include "upgrade/upgrade_check.h"

namespace ketcd::cli {
namespace {

struct UpgradeCheckArgs {
  std::string to;
  std::vector<std::string> data_dirs;
};

Status UpgradeCheck(CommandContext& context, const UpgradeCheckArgs& args) {
  auto to = upgrade::ParseTarget(args.to);
  if (!to.ok()) return to.status();
  upgrade::UpgradeReport report;
  report.to_minor = *to;
  std::string checked;
  if (args.data_dirs.empty()) {
    auto connection = context.Connection();
    if (!connection.ok()) return connection.status();
    auto health = cluster::CheckClusterHealth(connection->config, cluster::HealthOptions{});
    if (!health.ok()) return health.status();
    upgrade::CheckOnline(*health, report);
    // Asked of the leader, else of any member that answers.
    auto answers = [](const cluster::MemberHealth* m) { return m && m->reachable() && !m->client_urls.empty(); };
    const cluster::MemberHealth* asked = health->Leader();
    for (const auto& member : health->members) {
      if (!answers(asked)) asked = &member;
    }
    Result<std::string> cluster_version =
        answers(asked) ? upgrade::ReadClusterVersion(asked->client_urls.front(), connection->config)
                       : Result<std::string>(Unavailable("no member answered"));
    upgrade::CheckClusterVersion(cluster_version.ok() ? *cluster_version : "",
                                 cluster_version.ok() ? "" : cluster_version.status().message(), *health,
                                 report);
    checked = "online, " + std::to_string(health->members.size()) + " members";
  } else {
    for (const std::string& dir : args.data_dirs) {
      auto membership = restore::ReadDataDirMembership(dir);
      if (!membership.ok()) return membership.status();
      upgrade::CheckDataDir(dir, *membership, report);
    }
    checked = "offline, " + std::to_string(args.data_dirs.size()) + " data dir(s)";
  }
  size_t blockers = 0;
  for (const auto& finding : report.findings) blockers += finding.blocking;
  std::ostream& out = *context.out;
  if (IsStructured(context.format)) {
    Json findings = Json::array();
    for (const auto& f : report.findings) {
      Json item = {{"blocking", f.blocking}, {"check", f.check}, {"subject", f.subject}, {"message", f.message}};
      if (!f.action.empty()) item["action"] = f.action;
      findings.push_back(std::move(item));
    }
    PrintDocument(out, {{"to", args.to}, {"ready", report.ready()}, {"findings", std::move(findings)}},
                  context.format);
  } else {
    out << "Upgrade check: etcd 3." << report.to_minor - 1 << " -> " << args.to << " (" << checked << ")\n\n";
    for (const auto& f : report.findings) {
      out << (f.blocking ? "  BLOCKER  " : "  ok       ") << (f.subject.empty() ? "" : f.subject + ": ")
          << f.message << "\n";
      if (!f.action.empty()) out << "           do: " << f.action << "\n";
    }
    out << "\nVerdict: " << (report.ready() ? "READY to upgrade one member at a time, leader last"
                                            : "BLOCKED (" + std::to_string(blockers) + " blocker(s))")
        << "\n";
  }
  if (!report.ready()) return Failed("upgrade to " + args.to + " blocked: " + std::to_string(blockers) + " blocker(s)");
  return Status::Ok();
}

}  // namespace

void AddUpgradeCheckCommand(CLI::App& cluster_app, CommandContext& context) {
  auto bind = [](CLI::App& check, UpgradeCheckArgs& args) {
    check.add_option("--to", args.to, "The etcd minor version to upgrade to: 3.6 or 3.7")->required();
    check.add_option("--data-dir", args.data_dirs,
                     "Check stopped members' data dirs offline (membership stores, v2 store) instead of the cluster");
  };
  AddCommand<UpgradeCheckArgs>(cluster_app, context, "upgrade-check",
                               "Every known blocker of the next etcd minor upgrade, with what to do; exit 1 when blocked",
                               bind, UpgradeCheck);
}

}  // namespace ketcd::cli
