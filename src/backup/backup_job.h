// One backup run: snapshot save (staged in work_dir) while zstd ->
// AES-256-GCM (with a key) -> every destination at once -> verify the
// staged snapshot -> manifests, written last -> retention prune (only
// after the new backup is complete). A backup is NAME.db.zst[.enc] plus
// NAME.manifest.json (backup/catalog.h reads them back).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "backup/backup_config.h"
#include "backup/manifest.h"
#include "etcd/client.h"

namespace ketcd::backup {

struct DestinationFailure {
  std::string destination;  // its URL
  std::string why;
};

struct BackupOutcome {
  Manifest manifest;
  std::vector<std::string> stored;             // destinations holding it
  std::vector<DestinationFailure> failures;    // empty: a complete success
  std::vector<std::string> pruned;             // "dir:/x: NAME"
  bool complete() const { return failures.empty(); }
  // "2 destination(s) failed: URL: why", for a one-line error.
  std::string FailureSummary() const;
};

// An error when no backup could be taken (etcd, the snapshot, the
// configuration); an outcome, maybe with failures, once stores were tried
// (`stored` empty: none holds it).
Result<BackupOutcome> RunBackup(etcd::EtcdClient& client, const BackupConfig& config, int64_t now,
                                const std::function<void(const std::string&)>& say);

// Stores a verified snapshot file with its sha256 trailer, `staged`, as a
// full backup in every destination, the way RunBackup stores one (a name
// for m.created, its object, retries, manifests last, prune). `m` brings
// what the snapshot is: created, revision, keys, sizes, etcd version,
// cluster.
Result<BackupOutcome> StoreSnapshotFile(const BackupConfig& config, Manifest m, const std::string& staged,
                                        const std::function<void(const std::string&)>& say);

}  // namespace ketcd::backup
