// ketcd backup run|list|get|restore|compact|verify|daemon --config backup.yaml
#include <CLI/CLI.hpp>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <unistd.h>

#include "backup/backup_job.h"
#include "backup/catalog.h"
#include "backup/chain_check.h"
#include "backup/compact_chain.h"
#include "backup/daemon.h"
#include "backup/metrics_server.h"
#include "backup/restore_backup.h"
#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/snapshot_restore.h"
#include "util/utc_time.h"

namespace ketcd::cli {
namespace {

namespace fs = std::filesystem;

// What every backup command takes.
struct BackupArgs {
  std::string config;  // the YAML file
  std::string name;    // get, restore, verify: the backup (default: the newest)
};

void BindConfig(CLI::App& command, BackupArgs& args) {
  command.add_option("--config", args.config, "Backup configuration (YAML; docs/backups.md)")->required();
}

void BindConfigAndName(CLI::App& command, BackupArgs& args) {
  BindConfig(command, args);
  command.add_option("NAME", args.name, "Backup name (from backup list)");
}

// get and restore: a full backup by name, or a point in time of a chain.
struct PointArgs {
  int64_t to_revision = 0;
  std::string to_time;
  bool latest = false;
  bool given() const { return to_revision > 0 || !to_time.empty() || latest; }
};

void BindPoint(CLI::App& command, BackupArgs& args, PointArgs& point) {
  BindConfigAndName(command, args);
  auto* revision = command.add_option("--to-revision", point.to_revision,
                                      "The state at this etcd revision: a full backup and its delta segments");
  auto* time = command.add_option("--to-time", point.to_time,
                                  "The state at this moment (RFC 3339, e.g. 2026-12-03T14:32:05Z): the newest "
                                  "revision recorded at or before it");
  auto* latest = command.add_flag("--latest", point.latest, "The newest revision any chain of segments holds");
  revision->excludes(time)->excludes(latest);
  time->excludes(latest);
}

Result<backup::RestorePoint> PointOf(const BackupArgs& args, const PointArgs& point) {
  if (!args.name.empty()) return InvalidArgument("give a backup NAME or a point (--to-revision, --to-time, --latest), not both");
  backup::RestorePoint parsed;
  if (point.to_revision > 0) {
    parsed.kind = backup::RestorePoint::Kind::kRevision;
    parsed.revision = point.to_revision;
  } else if (!point.to_time.empty()) {
    auto millis = backup::ParseRfc3339Millis(point.to_time);
    if (!millis.ok()) return millis.status().WithContext("--to-time");
    parsed.kind = backup::RestorePoint::Kind::kTime;
    parsed.unix_millis = *millis;
  }
  return parsed;
}

void SayPoint(std::ostream& out, const backup::PointInTime& point) {
  out << "Point in time: revision " << point.revision << " (seen at " << Rfc3339MillisUtc(point.seen_millis)
      << "), full backup " << point.full.name << " and " << point.segments << " delta segment(s) from "
      << point.destination << "\n";
  if (!point.added_leases.empty()) {
    out << point.added_leases.size() << " lease(s) granted after the full backup added with a TTL of "
        << backup::kAddedLeaseTtlSeconds << " s (their keys expire after the cluster starts)\n";
  }
}

std::atomic<bool> stop_requested{false};

// Progress lines of a long-running command, each with its time.
std::function<void(const std::string&)> TimedLines(std::ostream& out) {
  return [&out](const std::string& line) { out << Rfc3339Utc(std::time(nullptr)) << " " << line << "\n" << std::flush; };
}

// SIGTERM/SIGINT: no new run starts; one in flight is finished first.
void StopOnSignals() {
  std::signal(SIGTERM, [](int) { stop_requested = true; });
  std::signal(SIGINT, [](int) { stop_requested = true; });
}

// The steps of a run, as "- step" lines.
std::function<void(const std::string&)> Steps(std::ostream& out) {
  return [&out](const std::string& line) { out << "- " << line << "\n" << std::flush; };
}

// A stored full backup, where it went and what was pruned; an error unless
// every destination holds it.
Status PrintOutcome(std::ostream& out, const backup::BackupOutcome& outcome) {
  const auto& m = outcome.manifest;
  if (outcome.stored.empty()) {
    for (const auto& failure : outcome.failures) out << "  FAILED " << failure.destination << ": " << failure.why << "\n";
    return Failed("backup " + m.name + " not stored: " + outcome.FailureSummary());
  }
  out << "Backup " << m.name << ": revision " << m.revision << ", " << m.total_keys << " keys, "
      << HumanBytes(static_cast<uint64_t>(m.snapshot_bytes)) << " -> " << HumanBytes(static_cast<uint64_t>(m.object_bytes))
      << (m.encrypted ? " encrypted" : "") << ", sha256 " << m.sha256 << "\n";
  for (const auto& where : outcome.stored) out << "  stored in " << where << "\n";
  for (const auto& pruned : outcome.pruned) out << "  pruned " << pruned << "\n";
  for (const auto& failure : outcome.failures) out << "  FAILED " << failure.destination << ": " << failure.why << "\n";
  if (!outcome.complete()) return Failed(outcome.FailureSummary());
  return Status::Ok();
}

struct RunArgs : BackupArgs {
  bool follow = false;
};

Status Run(CommandContext& context, const RunArgs& args) {
  auto config = backup::LoadBackupConfig(args.config);
  if (!config.ok()) return config.status();
  auto client = context.Client();
  if (!client.ok()) return client.status();
  std::ostream& out = *context.out;
  if (args.follow) {
    // The daemon's loop in the foreground, without /metrics: a backup now,
    // then its chain of delta segments until SIGINT/SIGTERM.
    if (config->delta_interval.count() == 0) return InvalidArgument("--follow needs delta_interval above 0");
    auto schedule = backup::ParseSchedule(config->schedule);
    if (!schedule.ok()) return schedule.status();
    StopOnSignals();
    backup::DaemonState state;
    backup::DaemonOptions options{*schedule, config->retries, config->retry_backoff, /*run_now=*/true};
    return backup::RunDaemon(**client, *config, options, state, stop_requested, TimedLines(out));
  }
  auto outcome = backup::RunBackup(**client, *config, std::time(nullptr), Steps(out));
  if (!outcome.ok()) return outcome.status();
  return PrintOutcome(out, *outcome);
}

Status List(CommandContext& context, const BackupArgs& args) {
  auto config = backup::LoadBackupConfig(args.config);
  if (!config.ok()) return config.status();
  auto listed = backup::ListBackups(*config);
  if (!listed.ok()) return listed.status();
  // A full backup per line, with the chain of delta segments that extends it.
  const std::vector<backup::Chain> chains = backup::GroupChains(*listed);
  if (IsStructured(context.format)) {
    Json document = Json::array();
    for (const backup::Chain& chain : chains) {
      const backup::Manifest& m = chain.full.manifest;
      Json entry = {{"name", m.name}, {"destination", chain.full.destination}, {"created", Rfc3339Utc(m.created)},
                    {"revision", m.revision}, {"totalKeys", m.total_keys}, {"objectBytes", m.object_bytes},
                    {"sha256", m.sha256}, {"encrypted", m.encrypted}, {"etcdVersion", m.etcd_version},
                    {"clusterID", m.cluster_id}};
      if (!chain.segments.empty() || chain.detached > 0) {
        int64_t bytes = 0;
        for (const auto& segment : chain.segments) bytes += segment.object_bytes;
        entry["deltas"] = {{"segments", chain.segments.size()}, {"objectBytes", bytes},
                           {"lastRevision", chain.last_revision}, {"lastSeen", Rfc3339MillisUtc(chain.last_seen_millis)},
                           {"chainEnd", chain.end}, {"detachedSegments", chain.detached}};
      }
      document.push_back(std::move(entry));
    }
    PrintDocument(*context.out, document, context.format);
    return Status::Ok();
  }
  Table table({"NAME", "CREATED", "REVISION", "KEYS", "SIZE", "ENCRYPTED", "DELTAS", "RESTORABLE TO", "DESTINATION"});
  for (const backup::Chain& chain : chains) {
    const backup::Manifest& m = chain.full.manifest;
    std::string deltas = std::to_string(chain.segments.size());
    if (chain.detached > 0) deltas += " (+" + std::to_string(chain.detached) + " after a gap)";
    std::string window = "-";
    if (!chain.segments.empty()) {
      window = std::to_string(chain.last_revision) + " at " + Rfc3339MillisUtc(chain.last_seen_millis);
      if (!chain.end.empty()) window += " (" + chain.end + ")";
    }
    table.AddRow({m.name, Rfc3339Utc(m.created), std::to_string(m.revision), std::to_string(m.total_keys),
                  HumanBytes(static_cast<uint64_t>(m.object_bytes)), m.encrypted ? "yes" : "no", deltas, window,
                  chain.full.destination});
  }
  table.Print(*context.out);
  return Status::Ok();
}

struct GetArgs : BackupArgs {
  std::string out;  // the snapshot file to write
  PointArgs point;
};

Status Get(CommandContext& context, const GetArgs& args) {
  const std::string& out_path = args.out;
  auto config = backup::LoadBackupConfig(args.config);
  if (!config.ok()) return config.status();
  if (fs::exists(out_path)) return InvalidArgument(out_path + " exists; not overwriting it");
  if (args.point.given()) {
    auto point = PointOf(args, args.point);
    if (!point.ok()) return point.status();
    auto built = backup::WriteSnapshotAt(*config, *point, out_path, [&](const std::string& line) {
      *context.err << line << "\n";
    });
    if (!built.ok()) return built.status();
    SayPoint(*context.out, *built);
    *context.out << "Snapshot at revision " << built->revision << " verified and written to " << out_path << "\n";
    return Status::Ok();
  }
  auto manifest = backup::FetchBackup(*config, args.name, out_path);
  if (!manifest.ok()) return manifest.status();
  *context.out << "Backup " << manifest->name << " (revision " << manifest->revision << ") verified and written to "
               << out_path << "\n";
  return Status::Ok();
}

struct BackupRestoreArgs : BackupArgs {
  RestoreArgs restore;
  PointArgs point;
};

Status Restore(CommandContext& context, const BackupRestoreArgs& args) {
  auto config = backup::LoadBackupConfig(args.config);
  if (!config.ok()) return config.status();
  auto options = RestoreOptionsOf(context, args.restore);
  if (!options.ok()) return options.status();
  if (args.point.given()) {
    auto point = PointOf(args, args.point);
    if (!point.ok()) return point.status();
    auto restored = backup::RestoreBackupAt(*config, *point, *options,
                                            args.restore.all_members ? args.restore.output_dir : "",
                                            [&](const std::string& line) { *context.err << line << "\n"; });
    if (!restored.ok()) return restored.status();
    SayPoint(*context.out, restored->point);
    PrintRestored(context, "revision " + std::to_string(restored->point.revision) + " of backup " +
                               restored->point.full.name, *options, restored->restored);
    return Status::Ok();
  }
  auto restored = backup::RestoreBackup(*config, args.name, *options,
                                        args.restore.all_members ? args.restore.output_dir : "");
  if (!restored.ok()) return restored.status();
  *context.out << "Backup " << restored->manifest.name << " (revision " << restored->manifest.revision
               << ") fetched and verified\n";
  PrintRestored(context, "backup " + restored->manifest.name, *options, restored->restored);
  return Status::Ok();
}

Status VerifyBackup(CommandContext& context, const BackupArgs& args) {
  auto config = backup::LoadBackupConfig(args.config);
  if (!config.ok()) return config.status();
  auto manifest = backup::VerifyBackupRestores(*config, args.name);
  if (!manifest.ok()) return manifest.status();
  *context.out << "Backup " << manifest->name << " verified: sha256 matches its manifest, decrypts, decompresses, "
               << "the snapshot is sound (revision " << manifest->revision << ", " << manifest->total_keys
               << " keys) and restores.\n";
  // Its chain of delta segments in every destination, end to end.
  auto listed = backup::ListBackups(*config);
  if (!listed.ok()) return listed.status();
  for (const backup::Chain& chain : backup::GroupChains(*listed)) {
    if (chain.full.manifest.name != manifest->name || (chain.segments.empty() && chain.detached == 0)) continue;
    auto checked = backup::VerifyChain(*config, chain, [&](const std::string& line) { *context.err << line << "\n"; });
    if (!checked.ok()) return checked.status();
    *context.out << "Chain in " << chain.full.destination << " verified: " << chain.segments.size()
                 << " segment(s) whole and as their manifests say, revisions " << chain.full.manifest.revision + 1
                 << ".." << chain.last_revision << " contiguous (last seen " << Rfc3339MillisUtc(chain.last_seen_millis)
                 << (chain.end.empty() ? "" : ", chain ended: " + chain.end) << "); at revision "
                 << chain.last_revision << " " << checked->keys_touched
                 << " key(s) are as the events left them, the others as the full backup holds them, and it restores.\n";
  }
  return Status::Ok();
}

struct CompactArgs : BackupArgs {
  int64_t to_revision = 0;
};

Status Compact(CommandContext& context, const CompactArgs& args) {
  auto config = backup::LoadBackupConfig(args.config);
  if (!config.ok()) return config.status();
  auto chain = backup::ChainToCompact(*config, args.name);
  if (!chain.ok()) return chain.status();
  *context.out << "Merging " << chain->full.manifest.name << " (revision " << chain->full.manifest.revision << ") and "
               << chain->segments.size() << " delta segment(s) from " << chain->full.destination << "\n";
  auto outcome = backup::CompactChain(*config, *chain, args.to_revision, Steps(*context.out));
  if (!outcome.ok()) return outcome.status();
  return PrintOutcome(*context.out, *outcome);
}

struct DaemonArgs : BackupArgs {
  // Loopback unless told: /metrics is unauthenticated.
  std::string listen = "127.0.0.1:9464";
  std::string schedule;
  bool run_now = false;
};

Status Daemon(CommandContext& context, const DaemonArgs& args) {
  auto config = backup::LoadBackupConfig(args.config);
  if (!config.ok()) return config.status();
  auto schedule = backup::ParseSchedule(args.schedule.empty() ? config->schedule : args.schedule);
  if (!schedule.ok()) return schedule.status();
  auto client = context.Client();
  if (!client.ok()) return client.status();
  auto say = TimedLines(*context.out);  // only the scheduler prints
  backup::DaemonState state;
  auto server = backup::MetricsServer::Start(args.listen, [&state](const std::string& path) {
    if (path == "/metrics") return backup::HttpAnswer{200, "text/plain; version=0.0.4; charset=utf-8", state.PrometheusText()};
    if (path == "/healthz") {
      int64_t failed_at = 0;
      return state.Healthy(&failed_at)
                 ? backup::HttpAnswer{200, "text/plain", "ok\n"}
                 : backup::HttpAnswer{503, "text/plain",
                                      "last backup failed at " + Rfc3339Utc(failed_at) + " (see the log)\n"};
    }
    return backup::HttpAnswer{404, "text/plain", "/metrics or /healthz\n"};
  });
  if (!server.ok()) return server.status();
  say("serving /metrics and /healthz on port " + std::to_string((*server)->port()));
  StopOnSignals();
  backup::DaemonOptions options{*schedule, config->retries, config->retry_backoff, args.run_now};
  return backup::RunDaemon(**client, *config, options, state, stop_requested, say);
}

}  // namespace

void AddBackupCommands(CLI::App& app, CommandContext& context) {
  auto* backup_app = app.add_subcommand("backup", "Verified, compressed, encrypted backups with retention");
  backup_app->require_subcommand(1);
  AddCommand<RunArgs>(*backup_app, context, "run",
                      "Take one backup now: save, verify, compress, encrypt, store, prune",
                      [](CLI::App& run, RunArgs& args) {
                        BindConfig(run, args);
                        run.add_flag("--follow", args.follow,
                                     "Then keep recording delta segments (point-in-time restore) until SIGINT/SIGTERM, "
                                     "taking full backups on the config's schedule");
                      },
                      Run);
  AddCommand<BackupArgs>(*backup_app, context, "list", "Complete backups in every destination, newest first",
                         BindConfig, List);
  AddCommand<GetArgs>(*backup_app, context, "get",
                      "Fetch a backup (default: the newest), or the state at a revision or time, as a verified snapshot file",
                      [](CLI::App& get, GetArgs& args) {
                        BindPoint(get, args, args.point);
                        get.add_option("--out", args.out, "Snapshot file to write")->required();
                      },
                      Get);
  AddCommand<BackupRestoreArgs>(*backup_app, context, "restore",
                                "Restore a backup (default: the newest), or the state at a revision or time, into a new data dir",
                                [](CLI::App& restore, BackupRestoreArgs& args) {
                                  BindPoint(restore, args, args.point);
                                  AddRestoreOptions(&restore, args.restore);
                                },
                                Restore);
  AddCommand<DaemonArgs>(*backup_app, context, "daemon",
                         "Back up on a schedule; serve /metrics and /healthz; stop on SIGTERM",
                         [](CLI::App& daemon, DaemonArgs& args) {
                           BindConfig(daemon, args);
                           daemon.add_option("--listen", args.listen,
                                             "Address for /metrics and /healthz (HOST:PORT or :PORT)")
                               ->capture_default_str();
                           daemon.add_option("--schedule", args.schedule,
                                             "Cron schedule (UTC), overriding the config's schedule");
                           daemon.add_flag("--run-now", args.run_now, "Take a backup at start, then follow the schedule");
                         },
                         Daemon);
  AddCommand<CompactArgs>(*backup_app, context, "compact",
                          "Merge a full backup (default: the newest with delta segments) and its segments into a new "
                          "full backup, offline and checked",
                          [](CLI::App& compact, CompactArgs& args) {
                            BindConfigAndName(compact, args);
                            compact.add_option("--to-revision", args.to_revision,
                                               "Merge up to this revision (default: the chain's last)");
                          },
                          Compact);
  AddCommand<BackupArgs>(*backup_app, context, "verify",
                         "Fetch and restore a backup (default: the newest) into a temporary dir, and check its "
                         "chain of delta segments end to end", BindConfigAndName,
                         VerifyBackup);
}

}  // namespace ketcd::cli
