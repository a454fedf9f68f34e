// Reading the backups in the destinations: listing (manifests only, so an
// object whose upload never finished is never offered), fetching one back
// into a checked snapshot file, and pruning by the retention policy.
#pragma once

#include <string>
#include <vector>

#include "backup/backup_config.h"
#include "backup/manifest.h"

namespace ketcd::backup {

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
