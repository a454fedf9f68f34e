// snapshot restore: the data dir of a member of a new cluster, built from
// a snapshot by ketcd's own code, laid out as etcd 3.4's restore lays it
// out (clientv3/snapshot/v3_snapshot.go), which etcd 3.4 and 3.5 start from:
//   member/snap/db         the snapshot's keyspace (a compact bbolt copy),
//                          consistent_index = N (the number of members),
//                          "members" holding the new members (3.5's etcdutl
//                          rewrites them too; 3.4 left the old ones, unused);
//   member/snap/1-N.snap   a raft snapshot at term 1, index N whose data is
//                          the v2 store with the members' raft attributes;
//   member/wal/0-0.wal     metadata (member and cluster ID), one AddNode
//                          ConfChange entry per member (term 1, index 1..N),
//                          HardState{term 1, vote first member, commit N},
//                          and the snapshot record {index N, term 1}.
// Member and cluster IDs are etcd's (cluster/member_identity.h). etcdutl
// 3.5 writes the same files except that the WAL's final snapshot record
// also carries the ConfState (walpb.Snapshot field 3, absent from 3.4's
// walpb); etcd 3.5 starts from either (tests/restore/restore_test.cc).
// etcd 3.6 stops reading membership from the v2 store in the raft snapshot
// and takes it from the backend's "members" bucket, which is why that
// bucket is rewritten here rather than left as 3.4 leaves it.
//
// --bump-revision N / --mark-compacted (etcdutl 3.5's semantics): an empty
// entry at revision latest+N in "key" makes that the store's revision, and
// "scheduledCompactRev" set to it makes etcd compact everything before it
// when it starts, so clients (the API server's watch caches) that saw
// revisions past the snapshot are told to re-list instead of missing changes.
// Everything is written under a temporary name and renamed when complete;
// an existing data dir is never touched.
#pragma once

#include <string>
#include <vector>

#include "restore/membership.h"
#include "util/status.h"

namespace ketcd::restore {

struct RestoreOptions {
  std::string snapshot_path;
  // etcdctl's flags and defaults.
  std::string name = "default";
  std::string initial_cluster = "default=http://localhost:2380";
  std::string initial_cluster_token = "etcd-cluster";
  std::vector<std::string> initial_advertise_peer_urls = {"http://localhost:2380"};
  std::string data_dir;  // default: NAME.etcd
  std::string wal_dir;   // default: DATA_DIR/member/wal
  bool skip_hash_check = false;
  int64_t bump_revision = 0;  // with mark_compacted, as etcdutl 3.5
  bool mark_compacted = false;
  // Members of initial_cluster that join as learners (ketcd's
  // --initial-learners; etcdutl makes every member a voter).
  std::vector<std::string> learners;
};

struct RestoredMember {
  Member member;
  std::string data_dir;
};

struct RestoreResult {
  uint64_t cluster_id = 0;
  std::vector<RestoredMember> members;
};

// One member (options.name).
Result<RestoreResult> RestoreMember(const RestoreOptions& options);
// Every member of options.initial_cluster, into OUTPUT_DIR/NAME.etcd each
// (name, advertise URLs and data/WAL dirs of `options` are not used).
Result<RestoreResult> RestoreAllMembers(const RestoreOptions& options,
                                        const std::string& output_dir);

}  // namespace ketcd::restore
