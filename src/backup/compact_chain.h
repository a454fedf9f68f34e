// backup compact: a chain merged offline (no etcd) into a new full backup at
// one of its revisions (default: its last), so that restoring that point
// reads one object instead of a full backup and every segment before it.
// The snapshot is built as point-in-time restore builds it, checked against
// the chain's events (backup/chain_check.h) and verified, then stored in
// every destination as a backup taken from etcd is (backup_job.h), named
// and dated for the moment that revision was seen.
//
// The old pieces stay listed: they still restore the revisions before the
// merged one, and retention removes them in its time, only ever after the
// new backup is stored. Like etcd's own snapshot, the merged backup keeps
// every revision it was built from (no MVCC compaction).
#pragma once

#include <functional>
#include <string>

#include "backup/backup_job.h"
#include "backup/catalog.h"

namespace ketcd::backup {

// The chain to merge: the full backup `name`'s (the newest that has
// segments when empty), and from it the destination reaching furthest.
Result<Chain> ChainToCompact(const BackupConfig& config, const std::string& name);

// `revision` 0: the chain's last. An error before anything is stored; an
// outcome once stores were tried (as RunBackup's).
Result<BackupOutcome> CompactChain(const BackupConfig& config, const Chain& chain, int64_t revision,
                                   const std::function<void(const std::string&)>& say);

}  // namespace ketcd::backup
