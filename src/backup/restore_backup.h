// Restoring from a backup store: the backup fetched into a private scratch
// dir (sha256 against its manifest, decrypted, decompressed, the snapshot
// verified; backup/catalog.h), then restored as `snapshot restore` does
// (restore/restore.h); the scratch dir is removed afterwards.
#pragma once

#include <string>

#include "backup/backup_config.h"
#include "backup/manifest.h"
#include "backup/point_in_time.h"
#include "restore/restore.h"

namespace ketcd::backup {

struct RestoredBackup {
  Manifest manifest;
  restore::RestoreResult restored;
};

// Backup `name` (the newest if empty) into the data dir(s) `options` name
// (its snapshot_path is the fetched file); `all_members_dir` non-empty:
// every member of the cluster, into DIR/NAME.etcd.
Result<RestoredBackup> RestoreBackup(const BackupConfig& config, const std::string& name,
                                     restore::RestoreOptions options, const std::string& all_members_dir = "");

// A point in time of a chain (backup/point_in_time.h) into the data dir(s),
// as RestoreBackup does. For a revision or a time, the revision is bumped
// by kPointInTimeBump and marked compacted unless `options` bump it
// already: the restored cluster's revisions stay above any the live one
// reached after that point, and watchers must list again.
inline constexpr int64_t kPointInTimeBump = 1'000'000'000;
struct RestoredPoint {
  PointInTime point;
  restore::RestoreResult restored;
};
Result<RestoredPoint> RestoreBackupAt(const BackupConfig& config, const RestorePoint& point,
                                      restore::RestoreOptions options, const std::string& all_members_dir,
                                      const std::function<void(const std::string&)>& say);

// backup verify: the same into a throwaway data dir, which proves the
// backup usable end to end. Its manifest when every step holds.
Result<Manifest> VerifyBackupRestores(const BackupConfig& config, const std::string& name);

}  // namespace ketcd::backup
