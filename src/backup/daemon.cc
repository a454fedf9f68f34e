#include "backup/daemon.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <sstream>
#include <thread>

#include "backup/catalog.h"
#include "util/utc_time.h"

namespace ketcd::backup {
namespace {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

// The chain a restarted daemon continues: the newest full backup's, if its
// segments reach the same revision in every destination that holds it and
// it has not ended. Null: none (a full backup starts the next one).
std::unique_ptr<DeltaRecorder> ResumeNewestChain(etcd::EtcdClient& client, const BackupConfig& config,
                                                 DaemonState& state,
                                                 const std::function<void(const std::string&)>& say) {
  auto listed = ListBackups(config);
  if (!listed.ok()) {
    say("no chain to continue: " + listed.status().message());
    return nullptr;
  }
  const std::vector<Chain> chains = GroupChains(*listed);
  if (chains.empty()) return nullptr;
  const Chain& newest = chains.front();
  std::vector<std::string> stored_in;
  for (const Chain& chain : chains) {
    if (chain.full.manifest.name != newest.full.manifest.name) continue;
    if (chain.last_revision != newest.last_revision || !chain.end.empty() || chain.detached > 0) return nullptr;
    stored_in.push_back(chain.full.destination);
  }
  auto recorder = DeltaRecorder::Start(client, config, newest.full.manifest, stored_in, say, &state);
  if (!recorder.ok()) return nullptr;
  const std::string previous = newest.segments.empty() ? newest.full.manifest.name : newest.segments.back().name;
  (*recorder)->Resume(previous, newest.last_revision);
  state.ChainStarted(newest.full.manifest);
  say("continuing the chain of " + newest.full.manifest.name + " from revision " +
      std::to_string(newest.last_revision + 1));
  return std::move(*recorder);
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

void DaemonState::ChainStarted(const Manifest& full) {
  std::lock_guard lock(mutex_);
  chain_revision_ = full.revision;
  etcd_revision_ = std::max(etcd_revision_, full.revision);
  // Revisions etcd made while the backup ran wait since its start at most.
  waiting_since_millis_ = etcd_revision_ > chain_revision_ ? full.created * 1000 : 0;
}

void DaemonState::SegmentStored(const Manifest& segment) {
  std::lock_guard lock(mutex_);
  chain_revision_ = segment.revision;
  // The next revision was seen after this segment's last one.
  waiting_since_millis_ = etcd_revision_ > chain_revision_ ? segment.last_seen_millis : 0;
  ++segments_;
  segment_bytes_ += static_cast<uint64_t>(segment.object_bytes);
}

void DaemonState::EtcdRevision(int64_t revision) {
  std::lock_guard lock(mutex_);
  if (revision > etcd_revision_ && etcd_revision_ <= chain_revision_) waiting_since_millis_ = NowMillis();
  etcd_revision_ = std::max(etcd_revision_, revision);
}

void DaemonState::WatchRestarted() {
  std::lock_guard lock(mutex_);
  ++watch_restarts_;
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
  const int64_t lag_revisions = chain_revision_ > 0 ? std::max<int64_t>(0, etcd_revision_ - chain_revision_) : 0;
  gauge("ketcd_backup_chain_revision", "Newest etcd revision a restore can reach (full backup or delta segment).",
        chain_revision_);
  gauge("ketcd_backup_chain_lag_revisions", "Revisions etcd has made that no stored backup holds yet.",
        lag_revisions);
  // What a restore now would lose: the writes of the last this many
  // seconds. A quiet spell before them does not count.
  gauge("ketcd_backup_chain_lag_seconds",
        "Seconds the oldest revision no stored backup holds yet has waited (0: none missing).",
        lag_revisions > 0 ? std::max<int64_t>(0, NowMillis() - waiting_since_millis_) / 1000.0 : 0.0);
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    text << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << value << "\n";
  };
  counter("ketcd_backup_delta_segments_total", "Delta segments stored.", segments_);
  counter("ketcd_backup_delta_bytes_total", "Bytes of delta segments stored (compressed, encrypted; per destination).",
          segment_bytes_);
  counter("ketcd_backup_watch_restarts_total", "Times the continuous backup's watch broke and was resumed.",
          watch_restarts_);
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
  std::unique_ptr<DeltaRecorder> chain;
  // Restarted with continuous backup on: the newest chain goes on from its
  // last stored revision (etcd still holds the ones after it unless it
  // compacted them, which ends the chain), or a full backup starts one now.
  bool start_now = options.run_now;
  if (config.delta_interval.count() > 0) {
    chain = ResumeNewestChain(client, config, state, say);
    start_now = start_now || !chain;
  }
  // Until `until` (Unix seconds): the chain records meanwhile. False when
  // stopped, or when the chain ended and a full backup is needed now.
  auto wait = [&](int64_t until) {
    if (!chain) return SleepUntil(until, stop);
    chain->Record(DeltaRecorder::Clock::now() + std::chrono::seconds(std::max<int64_t>(0, until - std::time(nullptr))),
                  stop);
    return !stop.load() && !chain->ended();
  };
  int64_t next = start_now ? std::time(nullptr) : options.schedule.Next(std::time(nullptr));
  while (!stop.load()) {
    state.NextRunAt(next);
    say("next backup at " + Rfc3339Utc(next) + " (" + options.schedule.text() + ")");
    if (!wait(next)) {
      if (stop.load()) break;
      say("chain ended (" + chain->chain_end() + "): taking a full backup now");
      chain.reset();
      next = std::time(nullptr);
    }
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
        if (chain) chain->Finish(outcome->manifest.revision, std::chrono::seconds(30), stop);
        chain.reset();
        if (config.delta_interval.count() > 0) {
          auto started_chain = DeltaRecorder::Start(client, config, outcome->manifest, outcome->stored, say, &state);
          if (started_chain.ok()) {
            chain = std::move(*started_chain);
            state.ChainStarted(outcome->manifest);
          } else {
            say("no continuous backup after " + outcome->manifest.name + ": " + started_chain.status().message());
          }
        }
        break;
      }
      const std::string why = outcome.ok() ? outcome->FailureSummary() : outcome.status().message();
      state.RunFailed(why, outcome.ok() ? outcome->failures : std::vector<DestinationFailure>{}, end_time, seconds);
      say("backup failed: " + why);
      const int64_t retry_at = std::time(nullptr) + std::chrono::duration_cast<std::chrono::seconds>(backoff).count();
      if (attempt == options.retries || retry_at >= following) break;
      say("retrying in " + std::to_string(retry_at - std::time(nullptr)) + " s");
      state.NextRunAt(retry_at);
      // The chain of the last good backup goes on while this one fails.
      if (!wait(retry_at)) {
        if (stop.load()) break;
        chain.reset();  // ended: the retry now is the full backup it needs
      }
      backoff *= 2;
    }
    next = options.schedule.Next(std::max<int64_t>(following - 1, std::time(nullptr)));
  }
  say("stopping");
  return Status::Ok();
}

}  // namespace ketcd::backup
