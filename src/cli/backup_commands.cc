// ketcd backup run|list|get|restore|verify|daemon --config backup.yaml
#include <CLI/CLI.hpp>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <unistd.h>

#include "backup/backup_job.h"
#include "backup/catalog.h"
#include "backup/daemon.h"
#include "backup/metrics_server.h"
#include "cli/commands.h"
#include "cli/snapshot_restore.h"
#include "restore/restore.h"
#include "util/private_dir.h"
#include "util/utc_time.h"

namespace ketcd::cli {
namespace {

namespace fs = std::filesystem;

Status Run(CommandContext& context, const std::string& config_path) {
  auto config = backup::LoadBackupConfig(config_path);
  if (!config.ok()) return config.status();
  auto client = context.Client();
  if (!client.ok()) return client.status();
  std::ostream& out = *context.out;
  auto outcome = backup::RunBackup(**client, *config, std::time(nullptr),
                                   [&out](const std::string& line) { out << "- " << line << "\n" << std::flush; });
  if (!outcome.ok()) return outcome.status();
  const auto& m = outcome->manifest;
  if (outcome->stored.empty()) {
    for (const auto& failure : outcome->failures) out << "  FAILED " << failure.destination << ": " << failure.why << "\n";
    return Failed("backup " + m.name + " not stored: " + outcome->FailureSummary());
  }
  out << "Backup " << m.name << ": revision " << m.revision << ", " << m.total_keys << " keys, "
      << HumanBytes(static_cast<uint64_t>(m.snapshot_bytes)) << " -> " << HumanBytes(static_cast<uint64_t>(m.object_bytes))
      << (m.encrypted ? " encrypted" : "") << ", sha256 " << m.sha256 << "\n";
  for (const auto& where : outcome->stored) out << "  stored in " << where << "\n";
  for (const auto& pruned : outcome->pruned) out << "  pruned " << pruned << "\n";
  for (const auto& failure : outcome->failures) out << "  FAILED " << failure.destination << ": " << failure.why << "\n";
  if (!outcome->complete()) return Failed(outcome->FailureSummary());
  return Status::Ok();
}

Status List(CommandContext& context, const std::string& config_path) {
  auto config = backup::LoadBackupConfig(config_path);
  if (!config.ok()) return config.status();
  auto listed = backup::ListBackups(*config);
  if (!listed.ok()) return listed.status();
  if (IsStructured(context.format)) {
    Json document = Json::array();
    for (const auto& b : *listed) {
      document.push_back({{"name", b.manifest.name}, {"destination", b.destination}, {"created", Rfc3339Utc(b.manifest.created)},
                          {"revision", b.manifest.revision}, {"totalKeys", b.manifest.total_keys},
                          {"objectBytes", b.manifest.object_bytes}, {"sha256", b.manifest.sha256},
                          {"encrypted", b.manifest.encrypted}, {"etcdVersion", b.manifest.etcd_version},
                          {"clusterID", b.manifest.cluster_id}});
    }
    PrintDocument(*context.out, document, context.format);
    return Status::Ok();
  }
  Table table({"NAME", "CREATED", "REVISION", "KEYS", "SIZE", "ENCRYPTED", "DESTINATION"});
  for (const auto& b : *listed) {
    table.AddRow({b.manifest.name, Rfc3339Utc(b.manifest.created), std::to_string(b.manifest.revision),
                  std::to_string(b.manifest.total_keys), HumanBytes(static_cast<uint64_t>(b.manifest.object_bytes)),
                  b.manifest.encrypted ? "yes" : "no", b.destination});
  }
  table.Print(*context.out);
  return Status::Ok();
}

Status Get(CommandContext& context, const std::string& config_path, const std::string& name, const std::string& out_path) {
  auto config = backup::LoadBackupConfig(config_path);
  if (!config.ok()) return config.status();
  if (fs::exists(out_path)) return InvalidArgument(out_path + " exists; not overwriting it");
  auto manifest = backup::FetchBackup(*config, name, out_path);
  if (!manifest.ok()) return manifest.status();
  *context.out << "Backup " << manifest->name << " (revision " << manifest->revision << ") verified and written to "
               << out_path << "\n";
  return Status::Ok();
}

Status Restore(CommandContext& context, const std::string& config_path, const std::string& name, RestoreArgs args) {
  auto config = backup::LoadBackupConfig(config_path);
  if (!config.ok()) return config.status();
  PrivateDir scratch;
  if (scratch.path().empty()) return IoError("cannot create a temporary directory");
  args.options.snapshot_path = scratch.path() + "/snapshot.db";
  auto manifest = backup::FetchBackup(*config, name, args.options.snapshot_path);
  if (!manifest.ok()) return manifest.status();
  *context.out << "Backup " << manifest->name << " (revision " << manifest->revision << ") fetched and verified\n";
  return RunRestore(context, args);
}

// Restores the newest (or named) backup into a throwaway data dir: proves
// the backup can be fetched, decrypted, decompressed, verified and restored.
Status VerifyBackup(CommandContext& context, const std::string& config_path, const std::string& name) {
  auto config = backup::LoadBackupConfig(config_path);
  if (!config.ok()) return config.status();
  PrivateDir scratch;
  if (scratch.path().empty()) return IoError("cannot create a temporary directory");
  const std::string snapshot = scratch.path() + "/snapshot.db";
  auto manifest = backup::FetchBackup(*config, name, snapshot);
  if (!manifest.ok()) return manifest.status();
  restore::RestoreOptions options;
  options.snapshot_path = snapshot;
  options.data_dir = scratch.path() + "/restored.etcd";
  auto restored = restore::RestoreMember(options);
  if (!restored.ok()) return restored.status().WithContext(manifest->name + ": restore");
  *context.out << "Backup " << manifest->name << " verified: sha256 matches its manifest, decrypts, decompresses, "
               << "the snapshot is sound (revision " << manifest->revision << ", " << manifest->total_keys
               << " keys) and restores.\n";
  return Status::Ok();
}

std::atomic<bool> stop_requested{false};

struct DaemonArgs {
  // Loopback unless told: /metrics is unauthenticated.
  std::string listen = "127.0.0.1:9464";
  std::string schedule;
  bool run_now = false;
};

Status Daemon(CommandContext& context, const std::string& config_path, const DaemonArgs& args) {
  auto config = backup::LoadBackupConfig(config_path);
  if (!config.ok()) return config.status();
  auto schedule = backup::ParseSchedule(args.schedule.empty() ? config->schedule : args.schedule);
  if (!schedule.ok()) return schedule.status();
  auto client = context.Client();
  if (!client.ok()) return client.status();
  std::ostream& out = *context.out;
  auto say = [&](const std::string& line) {  // only the scheduler prints
    out << Rfc3339Utc(std::time(nullptr)) << " " << line << "\n" << std::flush;
  };
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
  // SIGTERM/SIGINT: no new run starts; one in flight is finished first.
  std::signal(SIGTERM, [](int) { stop_requested = true; });
  std::signal(SIGINT, [](int) { stop_requested = true; });
  backup::DaemonOptions options{*schedule, config->retries, config->retry_backoff, args.run_now};
  return backup::RunDaemon(**client, *config, options, state, stop_requested, say);
}

}  // namespace

void AddBackupCommands(CLI::App& app, CommandContext& context) {
  auto* backup_app = app.add_subcommand("backup", "Verified, compressed, encrypted backups with retention");
  backup_app->require_subcommand(1);
  auto config = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto add_config = [&](CLI::App* command) {
    command->add_option("--config", *config, "Backup configuration (YAML; docs/backups.md)")->required();
  };

  auto* run = backup_app->add_subcommand("run", "Take one backup now: save, verify, compress, encrypt, store, prune");
  add_config(run);
  run->callback([&context, config] { context.action = [&context, config] { return Run(context, *config); }; });

  auto* list = backup_app->add_subcommand("list", "Complete backups in every destination, newest first");
  add_config(list);
  list->callback([&context, config] { context.action = [&context, config] { return List(context, *config); }; });

  auto out_path = std::make_shared<std::string>();
  auto* get = backup_app->add_subcommand("get", "Fetch a backup (default: the newest) as a verified snapshot file");
  add_config(get);
  get->add_option("NAME", *name, "Backup name (from backup list)");
  get->add_option("--out", *out_path, "Snapshot file to write")->required();
  get->callback([&context, config, name, out_path] {
    context.action = [&context, config, name, out_path] { return Get(context, *config, *name, *out_path); };
  });

  auto restore_args = std::make_shared<RestoreArgs>();
  auto* restore_cmd = backup_app->add_subcommand("restore", "Restore a backup (default: the newest) into a new data dir");
  add_config(restore_cmd);
  restore_cmd->add_option("NAME", *name, "Backup name (from backup list)");
  AddRestoreOptions(restore_cmd, *restore_args);
  restore_cmd->callback([&context, config, name, restore_args] {
    context.action = [&context, config, name, restore_args] { return Restore(context, *config, *name, *restore_args); };
  });

  auto daemon_args = std::make_shared<DaemonArgs>();
  auto* daemon = backup_app->add_subcommand("daemon", "Back up on a schedule; serve /metrics and /healthz; stop on SIGTERM");
  add_config(daemon);
  daemon->add_option("--listen", daemon_args->listen, "Address for /metrics and /healthz (HOST:PORT or :PORT)")
      ->capture_default_str();
  daemon->add_option("--schedule", daemon_args->schedule, "Cron schedule (UTC), overriding the config's schedule");
  daemon->add_flag("--run-now", daemon_args->run_now, "Take a backup at start, then follow the schedule");
  daemon->callback([&context, config, daemon_args] {
    context.action = [&context, config, daemon_args] { return Daemon(context, *config, *daemon_args); };
  });

  auto* verify = backup_app->add_subcommand("verify", "Fetch and restore a backup (default: the newest) into a temporary dir");
  add_config(verify);
  verify->add_option("NAME", *name, "Backup name (from backup list)");
  verify->callback([&context, config, name] {
    context.action = [&context, config, name] { return VerifyBackup(context, *config, *name); };
  });
}

}  // namespace ketcd::cli
