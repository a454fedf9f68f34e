// The raft entries a stopped member holds but has not applied to its db:
// those after the db's consistent index. etcd applies the committed ones
// when it starts again; a recovery from the member's data dir must too, or
// writes etcd acknowledged (a leader answers once an entry is applied in
// memory, and commits its db only every 100 ms) are lost.
//
// Which are committed: the WAL's last hard state says, but etcd writes a
// hard state that only moves the commit index without syncing it (raft's
// MustSync), so the saved commit index routinely lags the entries the
// member had applied and acknowledged (seen: the last write of a 1-member
// cluster, acknowledged, beyond it). A member that becomes leader commits
// every entry of its log; a recovery from the survivor makes it the leader
// of a new cluster, so by default the whole log is taken, the entries past
// the saved commit index counted as such (in doubt: their clients may have
// seen a timeout, never a refusal). `committed_only` drops them, as etcd's
// --force-new-cluster does.
//
// Read as etcd reads its WAL: a later entry at an index already seen
// replaces the log from there on (a new leader's entries); a torn tail is
// cut off as etcd's repair does, any other damage refuses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "etcd/raft/raftpb/raft.pb.h"
#include "util/status.h"

namespace ketcd::datadir {

struct UnappliedEntries {
  uint64_t applied_index = 0;  // the db's consistent index
  uint64_t commit_index = 0;   // the WAL's last saved hard state
  uint64_t past_commit = 0;    // entries after it: taken, or dropped with committed_only
  std::vector<raftpb::Entry> entries;  // applied_index + 1 .. on, in order
};

// From DATA_DIR/member/wal, after `applied_index`. kDataLoss names the
// missing indexes when the WAL lacks some of them (a gap) and the file and
// offset of corruption.
Result<UnappliedEntries> ReadUnappliedEntries(const std::string& wal_dir, uint64_t applied_index,
                                              bool committed_only);

}  // namespace ketcd::datadir
