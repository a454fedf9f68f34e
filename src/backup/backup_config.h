// backup.yaml: what to back up where, how to keep it, and (for the
// daemon) when. The format is documented in docs/backups.md.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "backup/destination.h"
#include "backup/retention.h"

namespace ketcd::backup {

struct BackupConfig {
  std::string name = "etcd";  // object name prefix
  std::string work_dir;       // default: $TMPDIR or /tmp
  int compression_level = 3;
  std::string key;  // loaded from encryption.key_file; empty: not encrypted
  std::vector<DestinationConfig> destinations;
  RetentionPolicy retention;
  // Sending the whole object again to a destination that failed mid-way.
  int upload_attempts = 3;
  std::chrono::milliseconds retry_pause{5000};  // doubles after each attempt
  // For `backup daemon` (backup/daemon.h): when, and how failed runs are retried.
  std::string schedule = "0 */6 * * *";
  int retries = 3;
  std::chrono::milliseconds retry_backoff{60000};
  // Continuous backup between the daemon's full backups
  // (backup/delta_recorder.h): a delta segment at most every
  // `delta_interval` (0: none), or sooner when it holds delta_max_mib.
  std::chrono::milliseconds delta_interval{10000};
  int delta_max_mib = 32;
  // Segments a destination could not take wait on disk up to this much.
  int delta_spool_mib = 256;
};

// Reads the YAML configuration (docs/backups.md); loads the key.
Result<BackupConfig> LoadBackupConfig(const std::string& path);

}  // namespace ketcd::backup
