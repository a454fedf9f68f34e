// datadir inspect: what stopped members' data dirs hold, read offline and
// read-only, so that after a quorum loss the freshest usable one can be
// chosen with reasons (issue 19):
//   wal   the member and cluster IDs (its metadata), the last raft hard
//         state (term, commit index), the last entry's index and term, and
//         any damage (restore/wal_reader.h: a torn tail etcd truncates, or
//         corruption it refuses);
//   snap  the newest raft snapshot's index, and the membership raft and the
//         backend each believe in (restore/data_dir_membership.h);
//   db    its consistent index (the last entry applied), revision and
//         compacted revision, size and free pages, etcd's KV hash at its
//         revision (snapshot/offline_keyspace.h), and what `snapshot
//         verify` finds wrong.
// Committed entries not applied yet are those after the consistent index
// up to the commit index: a recovery applies them (etcd would on start).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "restore/data_dir_membership.h"
#include "restore/wal_reader.h"
#include "util/status.h"

namespace ketcd::datadir {

struct DataDirReport {
  std::string dir;
  bool in_use = false;  // a running etcd holds the db's lock: figures may move
  uint64_t member_id = 0, cluster_id = 0;
  std::string member_name;  // from the membership, when it names this member
  restore::DataDirMembership membership;

  size_t wal_segments = 0;
  uint64_t wal_records = 0;
  uint64_t hard_state_term = 0, commit_index = 0;
  uint64_t last_index = 0, last_term = 0;  // the log's last entry
  std::optional<restore::WalDamage> wal_damage;

  uint64_t consistent_index = 0;  // the last entry applied to the db
  int64_t revision = 0, compacted_revision = 0;
  int64_t db_bytes = 0, free_bytes = 0;
  std::optional<uint32_t> hash_kv;  // at `revision`; none when the db is unreadable
  std::vector<std::string> db_problems;  // the first few `snapshot verify` finds

  uint64_t UnappliedCommitted() const { return commit_index > consistent_index ? commit_index - consistent_index : 0; }
  // Committed as far as this dir knows: what it applied was committed too
  // (the hard state's commit index is saved with the next entries, so it
  // can lag the applied index).
  uint64_t KnownCommitted() const { return std::max(commit_index, consistent_index); }
  // Usable to recover from: the db sound, the WAL at most torn at its end.
  // Unusable says why not ("db ...", "WAL ..."), empty when usable.
  std::string Unusable() const;
  bool Usable() const { return Unusable().empty(); }
};

// A data dir (the one holding member/). kNotFound when it is none.
Result<DataDirReport> InspectDataDir(const std::string& dir);

// Among several dirs of one cluster: the usable one whose log holds the
// most committed entries (KnownCommitted; then the longest log, then the
// most applied), with the reason in words; kInvalidArgument when they
// are not all of one cluster, kFailed when none is usable.
struct Recommendation {
  size_t index = 0;
  std::string why;
};
Result<Recommendation> RecommendFreshest(const std::vector<DataDirReport>& reports);

}  // namespace ketcd::datadir
