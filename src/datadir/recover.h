// cluster recover: a new cluster from the freshest survivor of a quorum
// loss, with no etcd running (issue 19). Of the stopped members' data dirs
// given, the freshest usable one (datadir/inspect.h) is taken: its db, plus
// the entries its WAL holds and its db lacks (datadir/unapplied_entries.h:
// by default also those past the saved commit index, as the survivor would
// commit them as leader), applied offline (datadir/entry_applier.h), so
// nothing the survivor had acknowledged is lost; then written as `snapshot restore` writes a new cluster's data dirs
// (restore/restore.h: new member and cluster IDs, one member or all), with
// the revision bumped and marked compacted unless the options say
// otherwise, so the API servers' watch caches list again.
//
// Refused: a dir a running etcd holds (its db's file lock), dirs of
// different clusters, no usable dir (damaged db, corrupt WAL), committed
// entries missing from the WAL (a gap), an auth change among the entries.
#pragma once

#include <string>
#include <vector>

#include "datadir/entry_applier.h"
#include "datadir/inspect.h"
#include "restore/restore.h"

namespace ketcd::datadir {

// What etcd's disaster-recovery guide suggests: far above any revision a
// client of the lost cluster saw.
inline constexpr int64_t kRecoveryBump = 1'000'000'000;

struct RecoverRequest {
  std::vector<std::string> from;      // the stopped members' data dirs
  restore::RestoreOptions restore;    // the new cluster (its snapshot_path is set here)
  std::string all_members_dir;        // non-empty: every member, into DIR/NAME.etcd
  bool committed_only = false;        // drop entries past the saved commit index
};

struct RecoverResult {
  DataDirReport source;
  std::string why;
  uint64_t commit_index = 0;
  uint64_t past_commit = 0;  // entries after the saved commit index (dropped when committed_only)
  ApplyCounts counts;
  int64_t db_revision = 0;  // the survivor's db
  int64_t revision = 0;     // after its committed entries
  restore::RestoreResult restored;
};

Result<RecoverResult> Recover(const RecoverRequest& request);

}  // namespace ketcd::datadir
