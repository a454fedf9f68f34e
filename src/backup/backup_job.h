// One backup run, and reading backups back:
//   snapshot save (staged in work_dir) -> verify -> zstd -> AES-256-GCM
//   (with a key) -> every destination at once -> manifest, written last ->
//   retention prune (only after the new backup is complete).
// A backup is NAME.db.zst[.enc] plus NAME.manifest.json; listing reads
// manifests only, so an object without its manifest (an interrupted
// upload) is never offered for restore.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "backup/destination.h"
#include "backup/retention.h"
#include "etcd/client.h"

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
};

// Reads the YAML configuration (docs/backups.md); loads the key.
Result<BackupConfig> LoadBackupConfig(const std::string& path);

struct Manifest {
  std::string name, object;
  std::string sha256;  // of the object as stored
  int64_t object_bytes = 0, snapshot_bytes = 0;
  int64_t revision = 0, total_keys = 0;
  std::string etcd_version, cluster_id;
  int64_t created = 0;  // Unix seconds
  bool encrypted = false;
};

struct BackupOutcome {
  Manifest manifest;
  std::vector<std::string> stored;    // destinations holding it
  std::vector<std::string> failures;  // "dir:/x: why"
  std::vector<std::string> pruned;    // "dir:/x: NAME"
};

// kFailed when no destination could store the backup.
Result<BackupOutcome> RunBackup(etcd::EtcdClient& client, const BackupConfig& config, int64_t now,
                                const std::function<void(const std::string&)>& say);

struct ListedBackup {
  std::string destination;  // its URL
  size_t destination_index = 0;
  Manifest manifest;
};
// Every complete backup in every destination, newest first.
Result<std::vector<ListedBackup>> ListBackups(const BackupConfig& config);

// Fetches backup `name` (the newest if empty) into a snapshot file:
// object sha256 checked against the manifest, decrypted, decompressed,
// then the snapshot verified. Returns its manifest.
Result<Manifest> FetchBackup(const BackupConfig& config, const std::string& name, const std::string& snapshot_path);

// Applies the retention policy to one destination; returns what it removed.
Result<std::vector<std::string>> Prune(Destination& destination, const RetentionPolicy& policy);

}  // namespace ketcd::backup
