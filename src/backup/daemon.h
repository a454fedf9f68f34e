// `ketcd backup daemon`: backups on a schedule, failed runs retried with
// backoff, state served as Prometheus metrics and a health check, and a
// clean stop on SIGTERM (a run in flight is finished first).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "backup/backup_job.h"
#include "backup/delta_recorder.h"
#include "backup/schedule.h"

namespace ketcd::backup {

struct DaemonOptions {
  Schedule schedule;
  int retries = 3;  // further attempts of a failed run, before the next scheduled one
  std::chrono::milliseconds retry_backoff{60000};  // doubles after each retry
  bool run_now = false;  // one run at start, then the schedule
};

// What /metrics and /healthz report; shared between the scheduler and the
// server thread.
class DaemonState : public DeltaObserver {
 public:
  void RunStarted(int64_t now);
  void RunSucceeded(const BackupOutcome& outcome, int64_t now, double seconds);
  // `failures`: per destination (empty: the run failed before any upload).
  void RunFailed(const std::string& why, const std::vector<DestinationFailure>& failures, int64_t now,
                 double seconds);
  void NextRunAt(int64_t when);
  // The chain of deltas after the last full backup (its revision: none yet).
  void ChainStarted(const Manifest& full);
  void SegmentStored(const Manifest& segment) override;
  void EtcdRevision(int64_t revision) override;
  void WatchRestarted() override;
  std::string PrometheusText() const;
  // Healthy until a run fails; healthy again after one succeeds. When not,
  // `failed_at` is the Unix time the last failed run ended (the reason is in
  // the log: an unauthenticated /healthz must not carry store errors).
  bool Healthy(int64_t* failed_at) const;

 private:
  mutable std::mutex mutex_;
  int64_t last_start_ = 0, last_success_ = 0, last_failure_ = 0, next_run_ = 0;
  double last_duration_ = 0;
  int64_t last_size_ = 0, last_revision_ = 0;
  uint64_t successes_ = 0, failures_ = 0;
  std::map<std::string, uint64_t> destination_failures_;
  // Continuous backup: the newest revision stored (full backup or segment)
  // and the newest etcd reported.
  int64_t chain_revision_ = 0, etcd_revision_ = 0;
  int64_t waiting_since_millis_ = 0;  // when the oldest revision not stored yet was seen
  uint64_t segments_ = 0, segment_bytes_ = 0, watch_restarts_ = 0;
  std::string last_error_;
  bool running_ = false;
};

// Runs until `stop` is set; `say` prints timestamped progress lines. With
// config.delta_interval, each full backup starts a chain of delta segments
// recorded until the next one (or at once when the chain ends).
Status RunDaemon(etcd::EtcdClient& client, const BackupConfig& config, const DaemonOptions& options,
                 DaemonState& state, const std::atomic<bool>& stop,
                 const std::function<void(const std::string&)>& say);

}  // namespace ketcd::backup
