#include "backup/daemon.h"

#include <ctime>
#include <sstream>
#include <thread>

#include "util/utc_time.h"

namespace ketcd::backup {
namespace {

std::string Label(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') escaped.push_back('\\');
    escaped.push_back(c == '\n' ? ' ' : c);
  }
  return escaped;
}

// Sleeps until `until` (Unix seconds) or `stop`; false when stopped.
bool SleepUntil(int64_t until, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    if (std::time(nullptr) >= until) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

void DaemonState::RunStarted(int64_t now) {
  std::lock_guard lock(mutex_);
  last_start_ = now;
  running_ = true;
}

void DaemonState::RunSucceeded(const BackupOutcome& outcome, int64_t now, double seconds) {
  std::lock_guard lock(mutex_);
  running_ = false;
  ++successes_;
  last_success_ = now;
  last_duration_ = seconds;
  last_size_ = outcome.manifest.object_bytes;
  last_revision_ = outcome.manifest.revision;
  last_error_.clear();
}

void DaemonState::RunFailed(const std::string& why, const std::vector<DestinationFailure>& failures, int64_t now,
                            double seconds) {
  std::lock_guard lock(mutex_);
  running_ = false;
  ++failures_;
  last_failure_ = now;
  last_duration_ = seconds;
  for (const DestinationFailure& failure : failures) ++destination_failures_[failure.destination];
  last_error_ = why;
}

void DaemonState::NextRunAt(int64_t when) {
  std::lock_guard lock(mutex_);
  next_run_ = when;
}

bool DaemonState::Healthy(int64_t* failed_at) const {
  std::lock_guard lock(mutex_);
  *failed_at = last_failure_;
  return last_error_.empty();
}

std::string DaemonState::PrometheusText() const {
  std::lock_guard lock(mutex_);
  std::ostringstream text;
  auto gauge = [&](const char* name, const char* help, auto value) {
    text << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << value << "\n";
  };
  gauge("ketcd_backup_last_success_timestamp_seconds", "Unix time the last successful backup finished (0: none yet).",
        last_success_);
  gauge("ketcd_backup_last_failure_timestamp_seconds", "Unix time the last failed backup run ended (0: none).",
        last_failure_);
  gauge("ketcd_backup_last_start_timestamp_seconds", "Unix time the last backup run started.", last_start_);
  gauge("ketcd_backup_next_run_timestamp_seconds", "Unix time of the next scheduled run.", next_run_);
  gauge("ketcd_backup_last_duration_seconds", "Duration of the last backup run.", last_duration_);
  gauge("ketcd_backup_last_size_bytes", "Size of the last stored backup object (compressed, encrypted).", last_size_);
  gauge("ketcd_backup_last_revision", "etcd revision of the last stored backup.", last_revision_);
  gauge("ketcd_backup_running", "1 while a backup run is in progress.", running_ ? 1 : 0);
  text << "# HELP ketcd_backup_runs_total Backup runs by result.\n# TYPE ketcd_backup_runs_total counter\n"
       << "ketcd_backup_runs_total{result=\"success\"} " << successes_ << "\n"
       << "ketcd_backup_runs_total{result=\"failure\"} " << failures_ << "\n";
  text << "# HELP ketcd_backup_destination_failures_total Failed stores to a destination.\n"
       << "# TYPE ketcd_backup_destination_failures_total counter\n";
  for (const auto& [destination, count] : destination_failures_) {
    text << "ketcd_backup_destination_failures_total{destination=\"" << Label(destination) << "\"} " << count << "\n";
  }
  return text.str();
}

Status RunDaemon(etcd::EtcdClient& client, const BackupConfig& config, const DaemonOptions& options,
                 DaemonState& state, const std::atomic<bool>& stop,
                 const std::function<void(const std::string&)>& say) {
  int64_t next = options.run_now ? std::time(nullptr) : options.schedule.Next(std::time(nullptr));
  while (!stop.load()) {
    state.NextRunAt(next);
    say("next backup at " + Rfc3339Utc(next) + " (" + options.schedule.text() + ")");
    if (!SleepUntil(next, stop)) break;
    // One scheduled run and its retries; a retry never runs into the next slot.
    const int64_t following = options.schedule.Next(std::max<int64_t>(next, std::time(nullptr)));
    auto backoff = options.retry_backoff;
    for (int attempt = 0; attempt <= options.retries && !stop.load(); ++attempt) {
      const auto started = std::chrono::steady_clock::now();
      const int64_t start_time = std::time(nullptr);
      state.RunStarted(start_time);
      auto outcome = RunBackup(client, config, start_time, say);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const int64_t end_time = std::time(nullptr);
      if (outcome.ok() && outcome->complete()) {
        state.RunSucceeded(*outcome, end_time, seconds);
        say("backup " + outcome->manifest.name + " stored in " + std::to_string(outcome->stored.size()) +
            " destination(s)");
        break;
      }
      const std::string why = outcome.ok() ? outcome->FailureSummary() : outcome.status().message();
      state.RunFailed(why, outcome.ok() ? outcome->failures : std::vector<DestinationFailure>{}, end_time, seconds);
      say("backup failed: " + why);
      const int64_t retry_at = std::time(nullptr) + std::chrono::duration_cast<std::chrono::seconds>(backoff).count();
      if (attempt == options.retries || retry_at >= following) break;
      say("retrying in " + std::to_string(retry_at - std::time(nullptr)) + " s");
      state.NextRunAt(retry_at);
      if (!SleepUntil(retry_at, stop)) break;
      backoff *= 2;
    }
    next = options.schedule.Next(std::max<int64_t>(following - 1, std::time(nullptr)));
  }
  say("stopping");
  return Status::Ok();
}

}  // namespace ketcd::backup
