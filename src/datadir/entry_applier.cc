#include "datadir/entry_applier.h"

#include <google/protobuf/unknown_field_set.h>

#include <algorithm>

#include "bolt/database.h"
#include "restore/backend_copy.h"
#include "snapshot/backend_layout.h"

namespace ketcd::datadir {
namespace {

namespace pb = etcdserverpb;

// InternalRaftRequest's fields (etcdserverpb/raft_internal.proto), read by
// number: the file is not among the .proto files the build compiles.
enum RequestField : int {
  kV2 = 2,  // also a bare v2 Request's Method
  kRange = 3,
  kPut = 4,
  kDeleteRange = 5,
  kTxn = 6,
  kCompaction = 7,
  kLeaseGrant = 8,
  kLeaseRevoke = 9,
  kAlarm = 10,
  kLeaseCheckpoint = 11,
  kHeader = 100,
};

// Requests that change no state a recovery keeps: reads, logins, and what
// a new membership replaces (cluster version, member attributes, downgrade).
bool ChangesNothingKept(int field) {
  static const std::set<int> kFields = {kRange, kCompaction, kLeaseCheckpoint,
                                        1012 /* authenticate */, 1013 /* auth status */,
                                        1102, 1106, 1107, 1202 /* auth gets and lists */,
                                        1300, 1301, 1302 /* cluster version, member attributes, downgrade */,
                                        9900 /* downgrade version test */};
  return kFields.count(field) > 0;
}

bool IsAuthChange(int field) { return field == 1000 || field == 1011 || (field >= 1100 && field < 1300); }

int CompareBytes(const std::string& a, const std::string& b) { return a.compare(b) < 0 ? -1 : a == b ? 0 : 1; }
int CompareInt(int64_t a, int64_t b) { return a < b ? -1 : a > b ? 1 : 0; }

bool CompareKv(const pb::Compare& compare, const mvccpb::KeyValue& kv) {
  int result = 0;
  switch (compare.target()) {
    case pb::Compare::VALUE:
      result = CompareBytes(kv.value(), compare.value());
      break;
    case pb::Compare::CREATE:
      result = CompareInt(kv.create_revision(), compare.create_revision());
      break;
    case pb::Compare::MOD:
      result = CompareInt(kv.mod_revision(), compare.mod_revision());
      break;
    case pb::Compare::VERSION:
      result = CompareInt(kv.version(), compare.version());
      break;
    case pb::Compare::LEASE:
      result = CompareInt(kv.lease(), compare.lease());
      break;
    default:
      break;
  }
  switch (compare.result()) {
    case pb::Compare::EQUAL:
      return result == 0;
    case pb::Compare::NOT_EQUAL:
      return result != 0;
    case pb::Compare::GREATER:
      return result > 0;
    case pb::Compare::LESS:
      return result < 0;
    default:
      return true;
  }
}

// A txn with a put anywhere (either branch, nested): what etcd's quota
// counts, and refuses while the NOSPACE alarm is raised.
bool HasPut(const pb::TxnRequest& txn) {
  for (const auto* ops : {&txn.success(), &txn.failure()}) {
    for (const pb::RequestOp& op : *ops) {
      if (op.has_request_put() || (op.has_request_txn() && HasPut(op.request_txn()))) return true;
    }
  }
  return false;
}

std::string LeaseKey(int64_t id) { return restore::BigEndian64(static_cast<uint64_t>(id)); }

// etcd's range end: "" the key alone, "\0" every key from it on.
bool InRange(std::string_view key, const std::string& start, const std::string& end) {
  if (end.empty()) return key == start;
  return key >= start && (end == std::string(1, '\0') || key < end);
}

}  // namespace

EntryApplier::EntryApplier(snapshot::OfflineKeyspace& keyspace)
    // An empty store is at revision 1 (etcd's mvcc starts there).
    : keyspace_(keyspace), revision_(std::max<int64_t>(1, keyspace.current_revision())) {}

Result<std::unique_ptr<EntryApplier>> EntryApplier::Create(snapshot::OfflineKeyspace& keyspace) {
  std::unique_ptr<EntryApplier> applier(new EntryApplier(keyspace));
  KETCD_RETURN_IF_ERROR(applier->ReadAlarms());
  return applier;
}

Status EntryApplier::ReadAlarms() {
  const bolt::Database& db = keyspace_.file().db;
  auto bucket = db.Bucket(db.root(), snapshot::kAlarmBucket);
  if (!bucket.ok()) return bucket.status().code() == ErrorCode::kNotFound ? Status::Ok() : bucket.status();
  bolt::Cursor cursor(db, *bucket);
  KETCD_RETURN_IF_ERROR(cursor.First());
  while (cursor.valid()) {
    pb::AlarmMember alarm;
    if (!alarm.ParseFromArray(cursor.key().data(), static_cast<int>(cursor.key().size()))) {
      return DataLoss("bucket \"alarm\": an entry does not parse");
    }
    alarms_.insert({alarm.memberid(), alarm.alarm()});
    KETCD_RETURN_IF_ERROR(cursor.Next());
  }
  return Status::Ok();
}

Status EntryApplier::ApplyAll(const std::vector<raftpb::Entry>& entries) {
  KETCD_RETURN_IF_ERROR(FindLeaseKeys(entries));
  for (const raftpb::Entry& entry : entries) {
    KETCD_RETURN_IF_ERROR(Apply(entry).WithContext("committed entry " + std::to_string(entry.index())));
  }
  return Status::Ok();
}

// The db's live keys attached to each lease an entry revokes: one paged
// walk of the keyspace, only when there is a revocation.
Status EntryApplier::FindLeaseKeys(const std::vector<raftpb::Entry>& entries) {
  for (const raftpb::Entry& entry : entries) {
    google::protobuf::UnknownFieldSet fields;
    if (entry.type() != raftpb::EntryNormal || !fields.ParseFromString(entry.data())) continue;
    for (int i = 0; i < fields.field_count(); ++i) {
      const auto& field = fields.field(i);
      pb::LeaseRevokeRequest revoke;
      if (field.number() == kLeaseRevoke && field.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED &&
          revoke.ParseFromString(field.length_delimited())) {
        lease_keys_[revoke.id()];
      }
    }
  }
  if (lease_keys_.empty()) return Status::Ok();
  pb::RangeRequest page;
  page.set_key(std::string(1, '\0'));
  page.set_range_end(std::string(1, '\0'));
  page.set_limit(1000);
  for (;;) {
    auto response = keyspace_.Range(page);
    if (!response.ok()) return response.status();
    for (const mvccpb::KeyValue& kv : response->kvs()) {
      if (auto keys = lease_keys_.find(kv.lease()); kv.lease() != 0 && keys != lease_keys_.end()) {
        keys->second.insert(kv.key());
      }
    }
    if (!response->more() || response->kvs().empty()) return Status::Ok();
    page.set_key(response->kvs().rbegin()->key() + '\0');
  }
}

Result<std::optional<mvccpb::KeyValue>> EntryApplier::Live(const std::string& key) {
  if (auto written = written_.find(key); written != written_.end()) return written->second;
  pb::RangeRequest request;
  request.set_key(key);
  auto response = keyspace_.Range(request);
  if (!response.ok()) return response.status();
  if (response->kvs().empty()) return std::optional<mvccpb::KeyValue>();
  return std::optional<mvccpb::KeyValue>(response->kvs(0));
}

Result<std::vector<mvccpb::KeyValue>> EntryApplier::LiveRange(const std::string& key, const std::string& range_end) {
  std::vector<mvccpb::KeyValue> live;
  if (range_end.empty()) {
    auto one = Live(key);
    if (!one.ok()) return one.status();
    if (*one) live.push_back(std::move(**one));
    return live;
  }
  pb::RangeRequest request;
  request.set_key(key);
  request.set_range_end(range_end);
  auto response = keyspace_.Range(request);
  if (!response.ok()) return response.status();
  std::map<std::string, mvccpb::KeyValue, std::less<>> merged;
  for (const mvccpb::KeyValue& kv : response->kvs()) merged.emplace(kv.key(), kv);
  for (auto it = written_.lower_bound(key); it != written_.end() && InRange(it->first, key, range_end); ++it) {
    if (it->second) {
      merged[it->first] = *it->second;
    } else {
      merged.erase(it->first);
    }
  }
  for (auto& [_, kv] : merged) live.push_back(std::move(kv));
  return live;
}

Result<bool> EntryApplier::LeaseExists(int64_t id) {
  const std::string key = LeaseKey(id);
  if (granted_.count(key)) return true;
  if (revoked_.count(key)) return false;
  auto held = bolt::ValueIn(keyspace_.file().db, snapshot::kLeaseBucket, key);
  if (!held.ok()) return held.status();
  return !held->empty();
}

Result<bool> EntryApplier::Compare(const pb::Compare& compare) {
  auto live = LiveRange(compare.key(), compare.range_end());
  if (!live.ok()) return live.status();
  if (live->empty()) return compare.target() != pb::Compare::VALUE && CompareKv(compare, mvccpb::KeyValue());
  return std::all_of(live->begin(), live->end(), [&](const mvccpb::KeyValue& kv) { return CompareKv(compare, kv); });
}

Result<bool> EntryApplier::PutRefused(const pb::PutRequest& put) {
  if (put.ignore_value() || put.ignore_lease()) {
    auto live = Live(put.key());
    if (!live.ok()) return live.status();
    if (!*live) return true;  // ErrKeyNotFound
  }
  if (put.lease() != 0) {
    auto exists = LeaseExists(put.lease());
    if (!exists.ok()) return exists.status();
    if (!*exists) return true;  // ErrLeaseNotFound
  }
  return false;
}

Result<bool> EntryApplier::Check(const pb::TxnRequest& txn, std::vector<bool>& path, bool& refused) {
  bool succeeded = true;
  for (const pb::Compare& compare : txn.compare()) {
    auto holds = Compare(compare);
    if (!holds.ok()) return holds.status();
    if (!*holds) {
      succeeded = false;
      break;
    }
  }
  path.push_back(succeeded);
  for (const pb::RequestOp& op : succeeded ? txn.success() : txn.failure()) {
    if (op.has_request_put()) {
      auto put_refused = PutRefused(op.request_put());
      if (!put_refused.ok()) return put_refused.status();
      refused = refused || *put_refused;
    } else if (op.has_request_range()) {
      const int64_t revision = op.request_range().revision();
      refused = refused || revision > revision_ || (revision > 0 && revision < keyspace_.compacted_revision());
    } else if (op.has_request_txn()) {
      auto nested = Check(op.request_txn(), path, refused);
      if (!nested.ok()) return nested.status();
    }
  }
  return succeeded;
}

Status EntryApplier::Execute(const pb::TxnRequest& txn, const std::vector<bool>& path, size_t& at) {
  const bool succeeded = path[at++];
  for (const pb::RequestOp& op : succeeded ? txn.success() : txn.failure()) {
    if (op.has_request_put()) {
      KETCD_RETURN_IF_ERROR(Put(op.request_put()));
    } else if (op.has_request_delete_range()) {
      KETCD_RETURN_IF_ERROR(Delete(op.request_delete_range().key(), op.request_delete_range().range_end()));
    } else if (op.has_request_txn()) {
      KETCD_RETURN_IF_ERROR(Execute(op.request_txn(), path, at));
    }
  }
  return Status::Ok();
}

Status EntryApplier::Put(const pb::PutRequest& put) {
  auto live = Live(put.key());
  if (!live.ok()) return live.status();
  const snapshot::Revision revision = NextChange();
  mvccpb::KeyValue kv;
  kv.set_key(put.key());
  kv.set_create_revision(*live ? (*live)->create_revision() : revision.main);
  kv.set_mod_revision(revision.main);
  kv.set_version(*live ? (*live)->version() + 1 : 1);
  kv.set_value(put.ignore_value() ? (*live)->value() : put.value());
  kv.set_lease(put.ignore_lease() ? (*live)->lease() : put.lease());
  changes_.push_back({revision, false, kv.SerializeAsString()});
  written_[put.key()] = std::move(kv);
  return Status::Ok();
}

Status EntryApplier::Delete(const std::string& key, const std::string& range_end) {
  auto live = LiveRange(key, range_end);
  if (!live.ok()) return live.status();
  for (const mvccpb::KeyValue& kv : *live) {
    mvccpb::KeyValue tombstone;  // etcd stores a deletion with the key alone
    tombstone.set_key(kv.key());
    changes_.push_back({NextChange(), true, tombstone.SerializeAsString()});
    written_[kv.key()] = std::nullopt;
  }
  return Status::Ok();
}

Status EntryApplier::Apply(const raftpb::Entry& entry) {
  ++counts_.entries;
  if (entry.type() != raftpb::EntryNormal || entry.data().empty()) {
    ++counts_.not_applied;  // membership changes; a new leader's empty entry
    return Status::Ok();
  }
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(entry.data())) return DataLoss("does not parse as a request");
  const google::protobuf::UnknownField* request = nullptr;
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto& field = fields.field(i);
    if (field.number() == kV2) {
      ++counts_.not_applied;  // a v2 request: membership and version only
      return Status::Ok();
    }
    if (field.number() != 1 /* ID */ && field.number() != kHeader) request = &field;
  }
  if (request == nullptr || ChangesNothingKept(request->number())) {
    ++counts_.not_applied;
    return Status::Ok();
  }
  if (IsAuthChange(request->number())) {
    return Failed("changes etcd's users, roles or auth (request field " + std::to_string(request->number()) +
                  "), which a recovery does not apply: make that change again after the recovery");
  }
  if (request->type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
    return DataLoss("request field " + std::to_string(request->number()) + " is not a message");
  }
  const std::string& bytes = request->length_delimited();
  auto parse_error = [&] { return DataLoss("request field " + std::to_string(request->number()) + " does not parse"); };
  bool nospace = false, corrupt = false;
  for (const auto& [member, alarm] : alarms_) {
    nospace = nospace || alarm == pb::NOSPACE;
    corrupt = corrupt || alarm == pb::CORRUPT;
  }
  const bool kv_or_lease = request->number() >= kPut && request->number() <= kLeaseRevoke;
  if (corrupt && kv_or_lease) {
    ++counts_.refused;  // etcd's corrupt applier refuses them all
    return Status::Ok();
  }
  switch (request->number()) {
    case kPut: {
      pb::PutRequest put;
      if (!put.ParseFromString(bytes)) return parse_error();
      auto refused = PutRefused(put);
      if (!refused.ok()) return refused.status();
      if (nospace || *refused) {
        ++counts_.refused;
        return Status::Ok();
      }
      BeginWrite();
      KETCD_RETURN_IF_ERROR(Put(put));
      EndWrite();
      break;
    }
    case kDeleteRange: {
      pb::DeleteRangeRequest del;
      if (!del.ParseFromString(bytes)) return parse_error();
      BeginWrite();
      KETCD_RETURN_IF_ERROR(Delete(del.key(), del.range_end()));
      EndWrite();
      break;
    }
    case kTxn: {
      pb::TxnRequest txn;
      if (!txn.ParseFromString(bytes)) return parse_error();
      if (nospace && HasPut(txn)) {
        ++counts_.refused;
        return Status::Ok();
      }
      std::vector<bool> path;  // the branch of the txn and of each nested one taken, in order
      bool refused = false;
      auto checked = Check(txn, path, refused);
      if (!checked.ok()) return checked.status();
      if (refused) {
        ++counts_.refused;
        return Status::Ok();
      }
      BeginWrite();
      size_t at = 0;
      KETCD_RETURN_IF_ERROR(Execute(txn, path, at));
      EndWrite();
      break;
    }
    case kLeaseGrant: {
      pb::LeaseGrantRequest grant;
      if (!grant.ParseFromString(bytes)) return parse_error();
      auto exists = LeaseExists(grant.id());
      if (!exists.ok()) return exists.status();
      if (nospace || *exists || grant.id() == 0) {
        ++counts_.refused;
        return Status::Ok();
      }
      const std::string key = LeaseKey(grant.id());
      revoked_.erase(key);
      granted_[key] = snapshot::LeaseRecord(grant.id(), grant.ttl());
      break;
    }
    case kLeaseRevoke: {
      pb::LeaseRevokeRequest revoke;
      if (!revoke.ParseFromString(bytes)) return parse_error();
      auto exists = LeaseExists(revoke.id());
      if (!exists.ok()) return exists.status();
      if (!*exists) {
        ++counts_.refused;
        return Status::Ok();
      }
      // The keys attached now: the db's not changed since, and those the
      // entries put with this lease.
      std::set<std::string> attached;
      for (const std::string& key : lease_keys_[revoke.id()]) {
        if (!written_.count(key)) attached.insert(key);
      }
      for (const auto& [key, kv] : written_) {
        if (kv && kv->lease() == revoke.id()) attached.insert(key);
      }
      BeginWrite();
      for (const std::string& key : attached) KETCD_RETURN_IF_ERROR(Delete(key, ""));
      EndWrite();
      const std::string key = LeaseKey(revoke.id());
      if (granted_.erase(key) == 0) revoked_.insert(key);
      break;
    }
    case kAlarm: {
      pb::AlarmRequest alarm;
      if (!alarm.ParseFromString(bytes)) return parse_error();
      if (alarm.action() == pb::AlarmRequest::ACTIVATE && alarm.alarm() != pb::NONE) {
        alarms_.insert({alarm.memberid(), alarm.alarm()});
      } else if (alarm.action() == pb::AlarmRequest::DEACTIVATE) {
        alarms_.erase({alarm.memberid(), alarm.alarm()});
      }
      ++counts_.not_applied;  // kept in memory only: the old members' alarms
      return Status::Ok();
    }
    default:
      return Failed("a request ketcd does not know (field " + std::to_string(request->number()) +
                    "): not recovering past it");
  }
  ++counts_.requests;
  return Status::Ok();
}

}  // namespace ketcd::datadir
