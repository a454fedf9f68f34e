// snapshot restore: the data dir of a member of a new cluster, built from
// a snapshot by ketcd's own code, with the files etcdutl 3.5-3.7 (and
// etcdctl 3.4) write, which etcd 3.4 to 3.7 start from:
//   member/snap/db         the snapshot's keyspace (a compact bbolt copy);
//                          meta consistent_index = N (the number of
//                          members) and term = 1; "members" holding the new
//                          members and "members_removed" empty (etcd 3.6+
//                          reads membership from these buckets, 3.7 also its
//                          raft ConfState);
//   member/snap/1-N.snap   a raft snapshot at term 1, index N whose data is
//                          the v2 store with the members' raft attributes
//                          and whose ConfState lists them;
//   member/wal/0-0.wal     metadata (member and cluster ID), one AddNode
//                          ConfChange entry per member (term 1, index 1..N),
//                          HardState{term 1, vote first member, commit N},
//                          and the snapshot record {index N, term 1,
//                          ConfState}.
// Member and cluster IDs are etcd's (cluster/member_identity.h). Tests
// compare every file, parsed, with each version's etcdutl
// (tests/restore/restore_test.cc). Intended differences:
//   - the db is a compact copy: other bytes and page layout, the same
//     buckets, keys and values;
//   - meta "confState" (etcd 3.5+ keeps the applied ConfState there) is
//     the new cluster's; etcdutl leaves the old cluster's in place;
//   - learners: members named in `learners` (--initial-learners) are added
//     with AddLearnerNode, "isLearner" in their member records and the
//     ConfState's learners; etcdutl makes every member a voter (a TODO in
//     its code);
//   - against etcdctl 3.4: the WAL's snapshot record carries the ConfState
//     (3.4's walpb has no such field; 3.4 ignores it), and the membership
//     buckets and meta "term" are rewritten as 3.5+ does (3.4 left the old
//     members, unused);
//   - 3.7's etcdutl leaves zero-valued protobuf fields out (ConfChange.ID,
//     ConfState.auto_leave); ketcd writes them as gogo did (3.4-3.6): the
//     same messages to every reader.
// The storage version in meta ("storageVersion", 3.6+) is kept as saved,
// unless the target version is lower: etcd refuses to start on a storage
// version newer than its own ("Failed to validate schema"), so
// --target-version 3.6 writes "3.6.0", 3.5 removes the field (3.6 added
// it), as `etcdutl migrate` does; lower than 3.5 is refused. Without
// --target-version, a node whose etcd (its kubeadm manifest's image) is
// older than the storage version is refused with both named. The cluster
// version the old cluster reached ("cluster" bucket) is lowered to the
// target too: an older etcd panics on a higher one ("invalid downgrade").
//
// --bump-revision N / --mark-compacted (etcdutl 3.5's semantics): an empty
// entry at revision latest+N in "key" makes that the store's revision, and
// "scheduledCompactRev" set to it makes etcd compact everything before it
// when it starts, so clients (the API server's watch caches) that saw
// revisions past the snapshot are told to re-list instead of missing changes.
// Everything is written under a temporary name and renamed when complete;
// an existing data dir is never touched.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "restore/backend_copy.h"
#include "restore/membership.h"
#include "util/status.h"

namespace ketcd::restore {

struct RestoreOptions {
  std::string snapshot_path;
  // The caller verified the snapshot already (a backup fetched from a store,
  // verified as it arrived): restore does not read it twice.
  bool snapshot_verified = false;
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
  // The etcd version that will run the restored members ("3.6"); empty:
  // the snapshot's storage version is kept. Lower than that version, the
  // storage is migrated down as `etcdutl migrate --target-version` does.
  std::string target_version;
  // Without target_version: the etcd version this node runs and where that
  // was read (zero-config discovery); an older one than the snapshot's
  // storage version is refused, naming both.
  std::string node_etcd_version, node_etcd_source;
  // Members of initial_cluster that join as learners (ketcd's
  // --initial-learners; etcdutl makes every member a voter).
  std::vector<std::string> learners;
  // Revisions written to "key" after the snapshot's own and before any bump
  // (a point-in-time restore's, backup/point_in_time.h; a recovery's
  // committed entries, datadir/recover.h). The callback may add edits of
  // the buckets written after "key" ("lease", "meta") to `later`, and
  // returns the newest revision it wrote (0: none).
  std::function<Result<int64_t>(bolt::Writer& writer, BackendEdits& later)> append_revisions;
};

struct RestoredMember {
  Member member;
  std::string data_dir;
};

struct RestoreResult {
  uint64_t cluster_id = 0;
  std::vector<RestoredMember> members;
  std::string saved_storage_version;  // meta "storageVersion" of the snapshot; empty before 3.6
  std::string storage_version;        // what the data dirs hold after --target-version
};

// One member (options.name).
Result<RestoreResult> RestoreMember(const RestoreOptions& options);
// Every member of options.initial_cluster, into OUTPUT_DIR/NAME.etcd each
// (name, advertise URLs and data/WAL dirs of `options` are not used).
Result<RestoreResult> RestoreAllMembers(const RestoreOptions& options,
                                        const std::string& output_dir);

}  // namespace ketcd::restore
