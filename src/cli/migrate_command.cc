// ketcd migrate service-cidr|pod-cidr --from CIDR --to CIDR [--apply]
// ketcd migrate undo JOURNAL
#include <CLI/CLI.hpp>
#include <ctime>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/keyspace_source.h"
#include "cli/output.h"
#include "migrate/apply.h"
#include "migrate/cidr_migration.h"
#include "migrate/off_etcd.h"
#include "migrate/safety_net.h"
#include "util/progress.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

using migrate::MigrationTarget;

struct MigrateFlags {
  MigrationTarget target = MigrationTarget::kServiceCidr;
  std::vector<std::string> from, to, avoid;
  bool apply = false, no_backup = false, force = false, include_cni = false;
  std::string backup, journal, kubeadm_dir, kubelet_config;
  size_t batch = 50;
  KeyspaceSource source;
};

Result<std::vector<migrate::Cidr>> ParseCidrs(const std::vector<std::string>& texts, const char* flag) {
  std::vector<migrate::Cidr> cidrs;
  for (const std::string& text : texts) {
    auto cidr = migrate::ParseCidr(text);
    if (!cidr.ok()) return cidr.status().WithContext(flag);
    cidrs.push_back(*cidr);
  }
  return cidrs;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) AppendToList(text, part);
  return text;
}

void PrintPlan(std::ostream& out, const MigrateFlags& flags, const migrate::MigrationPlan& plan) {
  out << "Plan: " << migrate::MigrationTargetName(flags.target) << " " << Join(flags.from) << " -> "
      << Join(flags.to) << " at revision " << plan.revision << ": " << plan.changes.size()
      << " object(s) to change, " << plan.objects_checked << " checked\n";
  for (const auto& change : plan.changes) {
    out << "\n" << change.kind << " " << change.key;
    if (!change.new_key.empty()) out << " -> " << change.new_key;
    out << " (mod_revision " << change.mod_revision << ")\n";
    for (const auto& field : change.fields) {
      out << "    " << field.field << ": " << field.old_value << " -> " << field.new_value << "\n";
    }
  }
  for (const auto& notice : plan.notices) out << "\nNote: " << notice << "\n";
}

Json PlanJson(const MigrateFlags& flags, const migrate::MigrationPlan& plan) {
  Json changes = Json::array();
  for (const auto& change : plan.changes) {
    Json fields = Json::array();
    for (const auto& field : change.fields) {
      fields.push_back({{"field", field.field}, {"old", field.old_value}, {"new", field.new_value}});
    }
    Json entry = {{"kind", change.kind}, {"key", change.key}};
    if (!change.new_key.empty()) entry["newKey"] = change.new_key;
    entry["modRevision"] = change.mod_revision;
    entry["fields"] = std::move(fields);
    changes.push_back(std::move(entry));
  }
  return {{"migration", migrate::MigrationTargetName(flags.target)}, {"from", flags.from}, {"to", flags.to},
          {"revision", plan.revision}, {"objectsChecked", plan.objects_checked}, {"changes", std::move(changes)},
          {"notices", plan.notices}};
}

Json ReportJson(const migrate::WriteReport& report) {
  Json conflicts = Json::array();
  for (const auto& conflict : report.conflicts) conflicts.push_back({{"key", conflict.key}, {"reason", conflict.reason}});
  return {{"written", report.written}, {"skipped", report.skipped}, {"conflicts", std::move(conflicts)}};
}

void PrintReport(std::ostream& out, const char* verb, const migrate::WriteReport& report) {
  out << verb << " " << report.written << " object(s)";
  if (report.skipped) out << ", " << report.skipped << " already as they should be";
  out << ".\n";
  for (const auto& conflict : report.conflicts) out << "NOT WRITTEN " << conflict.key << ": " << conflict.reason << "\n";
}

Status Migrate(CommandContext& context, const MigrateFlags& flags) {
  auto from = ParseCidrs(flags.from, "--from");
  if (!from.ok()) return from.status();
  auto to = ParseCidrs(flags.to, "--to");
  if (!to.ok()) return to.status();
  auto avoid = ParseCidrs(flags.avoid, "--avoid");
  if (!avoid.ok()) return avoid.status();
  auto addresses = migrate::AddressMap::Create(*from, *to);
  if (!addresses.ok()) return addresses.status();
  if (flags.apply && flags.source.offline()) {
    return InvalidArgument("--apply writes to a live cluster; --snapshot/--data-dir only plan");
  }
  const std::string name = migrate::MigrationTargetName(flags.target);
  const std::string journal_path = flags.journal.empty() ? "ketcd-" + name + ".journal" : flags.journal;
  const migrate::MigrationRequest request{flags.target, *addresses, *avoid, flags.include_cni};
  auto diffs = migrate::OffEtcdFileDiffs(request, flags.kubeadm_dir, flags.kubelet_config);
  if (!diffs.ok()) return diffs.status();

  auto keyspace = OpenKeyspace(context, flags.source);
  if (!keyspace.ok()) return keyspace.status();
  if (keyspace->client != nullptr && !flags.force) {
    KETCD_RETURN_IF_ERROR(migrate::CheckApiServerStopped(
        *keyspace->reader, 12, [&context](const std::string& note) { *context.err << note << "\n"; }));
  }
  auto plan = migrate::PlanCidrMigration(*keyspace->reader, request);
  if (!plan.ok()) return plan.status();
  // -o json: one document at the end; text: as it happens.
  const bool json = context.format == OutputFormat::kJson;
  Json document = PlanJson(flags, *plan);
  if (!json) PrintPlan(*context.out, flags, *plan);
  const auto steps = migrate::OffEtcdSteps(request, *plan);
  document["offEtcd"] = steps;
  document["diffs"] = Json::array();
  for (const auto& diff : *diffs) document["diffs"].push_back({{"path", diff.path}, {"diff", diff.unified}});
  auto finish = [&](const std::string& last_line) {
    if (json) {
      *context.out << document.dump(2) << "\n";
      return;
    }
    *context.out << "\nOutside etcd (in this order):\n";
    for (size_t i = 0; i < steps.size(); ++i) *context.out << "  " << i + 1 << ". " << steps[i] << "\n";
    for (const auto& diff : *diffs) *context.out << "\n" << diff.unified;
    if (!last_line.empty()) *context.out << "\n" << last_line << "\n";
  };
  document["applied"] = false;
  if (!flags.apply) {
    finish("Nothing was written. Run again with --apply to write the " + std::to_string(plan->changes.size()) +
           " change(s).");
    return Status::Ok();
  }
  if (plan->changes.empty()) {
    document["applied"] = true;
    if (!json) *context.out << "\nNothing to write: etcd already holds the new ranges.\n";
    finish("");
    return Status::Ok();
  }
  migrate::SafetyNet net;
  net.backup_path = flags.no_backup ? "" : flags.backup.empty() ? DefaultBackupPath(name + "-before") : flags.backup;
  net.journal_path = journal_path;
  net.journal_header = {name, flags.from, flags.to};
  ProgressBar backup_progress("backup", *context.err, context.ErrIsTerminal());
  ProgressBar write_progress("writing", *context.err, context.ErrIsTerminal());
  net.backup_progress = [&](uint64_t done, uint64_t total) { backup_progress.Update(done, total); };
  net.write = {flags.batch, 1 << 20, [&](size_t done, size_t total) { write_progress.Update(done, total); }};
  net.note = [&](const std::string& line) {
    backup_progress.Finish();
    if (!json) *context.out << "\n" << line << "\n";
  };
  auto report = migrate::ApplyWithSafetyNet(*keyspace->client, *plan, net);
  write_progress.Finish();
  if (!report.ok()) return report.status();
  if (!net.backup_path.empty()) document["backup"] = net.backup_path;
  document["journal"] = journal_path;
  document["applied"] = true;
  document["result"] = ReportJson(*report);
  if (!json) PrintReport(*context.out, "Wrote", *report);
  finish("");
  if (!report->conflicts.empty()) {
    return Failed(std::to_string(report->conflicts.size()) +
                  " object(s) changed while migrating and were not written; run the same command again to plan them anew");
  }
  return Status::Ok();
}

struct UndoArgs {
  std::string journal;
  size_t batch = 50;
};

Status Undo(CommandContext& context, const UndoArgs& args) {
  const std::string& path = args.journal;
  const size_t batch = args.batch;
  auto journal = migrate::ReadJournal(path);
  if (!journal.ok()) return journal.status();
  auto client = context.Client();
  if (!client.ok()) return client.status();
  migrate::WriteOptions options;
  options.batch_objects = batch;
  auto report = migrate::UndoJournal(**client, *journal, options);
  if (!report.ok()) return report.status().WithContext("undo stopped; run it again to finish");
  PrintReport(*context.out, "Restored", *report);
  if (!report->conflicts.empty()) {
    return Failed(std::to_string(report->conflicts.size()) + " object(s) changed after the migration; left as they are");
  }
  return Status::Ok();
}

void AddMigration(CLI::App* migrate_app, CommandContext& context, MigrationTarget target,
                  const char* description) {
  auto bind = [target](CLI::App& command, MigrateFlags& flags) {
    flags.target = target;
    command.add_option("--from", flags.from, "Current range(s), one per IP family")->required()->delimiter(',');
    command.add_option("--to", flags.to, "New range(s), in the order of --from")->required()->delimiter(',');
    command.add_option("--avoid", flags.avoid, "Ranges the new ones must not overlap (repeatable)")->delimiter(',');
    command.add_flag("--apply", flags.apply, "Write the changes (default: print the plan only)");
    command.add_flag("--no-backup", flags.no_backup, "Skip the snapshot taken before writing");
    command.add_option("--backup", flags.backup,
                       "Where to save that snapshot (default: ./ketcd-<migration>-before-<time>.db)");
    command.add_option("--journal", flags.journal,
                       "Undo journal, appended to by re-runs (default: ./ketcd-<migration>.journal)");
    command.add_option("--kubeadm-dir", flags.kubeadm_dir,
                       "Print diffs for the static-pod manifests under DIR (e.g. /etc/kubernetes)");
    command.add_flag("--force", flags.force, "Skip the check that kube-apiserver is stopped");
    command.add_option("--batch", flags.batch, "Objects per etcd transaction")->check(CLI::Range(1, 60));
    if (target == MigrationTarget::kPodCidr) {
      command.add_flag("--include-cni", flags.include_cni, "Also rewrite flannel's and Calico's ranges");
    } else {
      command.add_option("--kubelet-config", flags.kubelet_config,
                         "Print the diff for this kubelet config file (clusterDNS), e.g. /var/lib/kubelet/config.yaml");
    }
    AddKeyspaceSourceOptions(&command, flags.source);
  };
  AddCommand<MigrateFlags>(*migrate_app, context, migrate::MigrationTargetName(target), description, bind, Migrate);
}

}  // namespace

void AddMigrateCommands(CLI::App& app, CommandContext& context) {
  auto* migrate_app = app.add_subcommand("migrate", "Move the Service or Pod CIDR of a cluster (plan, apply, undo)");
  migrate_app->require_subcommand(1);
  AddMigration(migrate_app, context, MigrationTarget::kServiceCidr,
               "Renumber Services, the allocator, ServiceCIDR/IPAddress objects and configs");
  AddMigration(migrate_app, context, MigrationTarget::kPodCidr, "Renumber Nodes' pod CIDRs and configs");
  AddCommand<UndoArgs>(*migrate_app, context, "undo", "Put back the values a migration's journal recorded",
                       [](CLI::App& undo, UndoArgs& args) {
                         undo.add_option("JOURNAL", args.journal, "Journal written by migrate --apply")->required();
                         undo.add_option("--batch", args.batch, "Objects per etcd transaction")
                             ->check(CLI::Range(1, 60));
                       },
                       Undo);
}

}  // namespace ketcd::cli
