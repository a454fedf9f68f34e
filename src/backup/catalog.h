// Reading the backups in the destinations: listing (manifests only, so an
// object whose upload never finished is never offered), fetching one back
// into a checked snapshot file, and pruning by the retention policy.
#pragma once

#include <optional>
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

// A full backup and the segments that continue it without a gap: each
// names the one before as previous and starts at the revision after its
// last. The chain restores any revision from the full backup's to
// `last_revision` (seen at `last_seen_millis`, Unix ms).
struct Chain {
  ListedBackup full;
  std::vector<Manifest> segments;  // in revision order
  int64_t last_revision = 0;
  int64_t last_seen_millis = 0;
  std::string end;      // the last segment's chainEnd
  size_t detached = 0;  // segments of this chain after a gap: unusable
};
// The chains of `listed` (ListBackups' order: newest full backup first),
// one per full backup and destination.
std::vector<Chain> GroupChains(const std::vector<ListedBackup>& listed);

// Fetches backup `name` (the newest if empty) into a snapshot file:
// object sha256 checked against the manifest, decrypted, decompressed,
// then the snapshot verified. Returns its manifest. `destination`: read it
// from that one (an index into config.destinations), else the first that has it.
Result<Manifest> FetchBackup(const BackupConfig& config, const std::string& name, const std::string& snapshot_path,
                             std::optional<size_t> destination = std::nullopt);

// Applies the retention policy to one destination; returns what it removed.
Result<std::vector<std::string>> Prune(Destination& destination, const RetentionPolicy& policy);

}  // namespace ketcd::backup
