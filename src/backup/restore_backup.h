// Restoring from a backup store: the backup fetched into a private scratch
// dir (sha256 against its manifest, decrypted, decompressed, the snapshot
// verified; backup/catalog.h), then restored as `snapshot restore` does
// (restore/restore.h); the scratch dir is removed afterwards.
#pragma once

#include <string>

#include "backup/backup_config.h"
#include "backup/manifest.h"
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

// backup verify: the same into a throwaway data dir, which proves the
// backup usable end to end. Its manifest when every step holds.
Result<Manifest> VerifyBackupRestores(const BackupConfig& config, const std::string& name);

}  // namespace ketcd::backup
