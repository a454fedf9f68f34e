// Committed raft entries applied to a member's keyspace offline, as etcd's
// apply loop would when it starts again (facts from etcd's
// server/etcdserver/txn/txn.go, apply/apply.go, mvcc/kvstore_txn.go and
// lease/lessor.go), producing the revisions and lease changes a recovery
// writes after the db's own:
//   put          one revision; create revision and version carried on from
//                the live key, ignore_value/ignore_lease take them from it
//                (refused when there is none), a lease must exist;
//   delete       one revision for the keys live in [key, range_end), a sub
//                revision each, in key order; none when nothing was live;
//   txn          compares on the state before it (every key of a compare's
//                range must satisfy it; a value compared on no key fails),
//                then the chosen branch's checks (as put), then its writes
//                under one revision, each seeing the earlier ones; nested
//                txns likewise; ranges read nothing that matters here;
//   lease grant  "lease" gains {ID, TTL} unless the ID exists;
//   lease revoke the keys attached to it (live, with that lease) deleted in
//                one revision, in key order, and the lease removed;
//   alarms       a NOSPACE alarm (in the db's "alarm" bucket or raised by an
//                entry) refuses puts, txns with a put and lease grants, as
//                etcd's capped applier; CORRUPT refuses every request.
// A request etcd would have refused changes nothing and is counted. Not
// applied, with the reason: membership and cluster version changes (a
// recovery writes a new membership), v2 requests, compactions (a recovery
// marks its revision compacted), lease checkpoints (remaining TTLs are not
// kept across a restart anyway), alarm changes (the old members' alarms).
// An auth change (users, roles, enabling) is refused: it would be lost.
// Auth permission checks are not redone (etcd checked them when the
// request was proposed).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"
#include "etcd/raft/raftpb/raft.pb.h"
#include "snapshot/offline_keyspace.h"

namespace ketcd::datadir {

struct AppliedChange {
  snapshot::Revision revision;
  bool tombstone = false;
  std::string stored;  // the mvccpb.KeyValue as etcd stores it
};

struct ApplyCounts {
  uint64_t entries = 0;   // committed entries read
  uint64_t requests = 0;  // KV and lease requests applied
  uint64_t refused = 0;   // requests etcd refused (a lease missing, ...): no change
  uint64_t not_applied = 0;  // membership, v2, compaction, checkpoint, alarm, no-op entries
};

class EntryApplier {
 public:
  // `keyspace` is the member's db (read through it, never written).
  static Result<std::unique_ptr<EntryApplier>> Create(snapshot::OfflineKeyspace& keyspace);

  // Applies `entries` in order (committed, consecutive).
  Status ApplyAll(const std::vector<raftpb::Entry>& entries);

  const std::vector<AppliedChange>& changes() const { return changes_; }
  int64_t revision() const { return revision_; }  // the newest, after the changes
  // "lease" bucket edits: leases granted (ID key -> record) and leases of
  // the db revoked.
  const std::map<std::string, std::string>& granted_leases() const { return granted_; }
  const std::set<std::string, std::less<>>& revoked_leases() const { return revoked_; }
  const ApplyCounts& counts() const { return counts_; }

 private:
  explicit EntryApplier(snapshot::OfflineKeyspace& keyspace);
  Status ReadAlarms();
  Status FindLeaseKeys(const std::vector<raftpb::Entry>& entries);
  Status Apply(const raftpb::Entry& entry);

  // The live key now (the db's, or as the entries left it).
  Result<std::optional<mvccpb::KeyValue>> Live(const std::string& key);
  // The live keys in [key, range_end) (etcd's range end), in key order.
  Result<std::vector<mvccpb::KeyValue>> LiveRange(const std::string& key, const std::string& range_end);
  Result<bool> LeaseExists(int64_t id);

  Result<bool> Compare(const etcdserverpb::Compare& compare);
  // The branch a txn takes, with every nested txn's (compared before any write).
  // Sets `refused` when etcd's checks of the branches taken refuse it.
  Result<bool> Check(const etcdserverpb::TxnRequest& txn, std::vector<bool>& path, bool& refused);
  Status Execute(const etcdserverpb::TxnRequest& txn, const std::vector<bool>& path, size_t& at);
  Result<bool> PutRefused(const etcdserverpb::PutRequest& put);
  Status Put(const etcdserverpb::PutRequest& put);
  Status Delete(const std::string& key, const std::string& range_end);

  // One write transaction: its changes share the next revision.
  void BeginWrite() { write_start_ = changes_.size(); }
  void EndWrite() {
    if (changes_.size() > write_start_) ++revision_;
  }
  snapshot::Revision NextChange() const {
    return {revision_ + 1, static_cast<int64_t>(changes_.size() - write_start_)};
  }

  snapshot::OfflineKeyspace& keyspace_;
  int64_t revision_;
  size_t write_start_ = 0;
  std::vector<AppliedChange> changes_;
  std::map<std::string, std::optional<mvccpb::KeyValue>, std::less<>> written_;  // keys the entries changed
  std::map<std::string, std::string> granted_;
  std::set<std::string, std::less<>> revoked_;
  std::map<int64_t, std::set<std::string>> lease_keys_;  // the db's keys of the leases the entries revoke
  std::set<std::pair<uint64_t, int>> alarms_;           // member ID, alarm type
  ApplyCounts counts_;
};

}  // namespace ketcd::datadir
