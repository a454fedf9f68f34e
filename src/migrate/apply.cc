#include "migrate/apply.h"

#include <algorithm>
#include <map>
#include <optional>

#include "util/crash_point.h"

namespace ketcd::migrate {
namespace {

namespace pb = etcd::pb;

// One guarded write: the compares that must hold and the operations then.
struct GuardedWrite {
  std::string key;  // for reports
  std::vector<pb::Compare> guard;
  std::vector<pb::RequestOp> ops;
  size_t bytes = 0;
};

pb::Compare ModRevisionIs(const std::string& key, int64_t revision) {
  pb::Compare compare;
  compare.set_key(key);
  compare.set_target(pb::Compare::MOD);
  compare.set_result(pb::Compare::EQUAL);
  compare.set_mod_revision(revision);
  return compare;
}

pb::Compare Absent(const std::string& key) {
  pb::Compare compare;
  compare.set_key(key);
  compare.set_target(pb::Compare::CREATE);
  compare.set_result(pb::Compare::EQUAL);
  compare.set_create_revision(0);
  return compare;
}

// `keep_lease`: the key exists (the guard says so) and keeps its lease, as
// an API server update would.
pb::RequestOp Put(const std::string& key, const std::string& value, bool keep_lease) {
  pb::RequestOp op;
  op.mutable_request_put()->set_key(key);
  op.mutable_request_put()->set_value(value);
  op.mutable_request_put()->set_ignore_lease(keep_lease);
  return op;
}

pb::RequestOp Delete(const std::string& key) {
  pb::RequestOp op;
  op.mutable_request_delete_range()->set_key(key);
  return op;
}

Result<bool> Commit(etcd::EtcdClient& client, std::span<const GuardedWrite> writes) {
  pb::TxnRequest request;
  for (const GuardedWrite& write : writes) {
    for (const auto& compare : write.guard) *request.add_compare() = compare;
    for (const auto& op : write.ops) *request.add_success() = op;
  }
  auto response = client.Txn(request);
  if (!response.ok()) return response.status();
  return response->succeeded();
}

// The current state of `key`: mod_revision and value, or nullopt if absent.
struct Current {
  int64_t mod_revision = 0;
  std::string value;
};

Result<std::map<std::string, Current>> ReadKeys(etcd::EtcdClient& client,
                                                const std::vector<std::string>& keys) {
  pb::TxnRequest request;  // one round trip, one revision
  for (const std::string& key : keys) request.add_success()->mutable_request_range()->set_key(key);
  auto response = client.Txn(request);
  if (!response.ok()) return response.status();
  std::map<std::string, Current> current;
  for (const auto& op : response->responses()) {
    for (const auto& kv : op.response_range().kvs()) current[kv.key()] = {kv.mod_revision(), kv.value()};
  }
  return current;
}

std::string ConflictReason(etcd::EtcdClient& client, const GuardedWrite& write) {
  std::vector<std::string> keys;
  for (const auto& compare : write.guard) keys.push_back(compare.key());
  auto current = ReadKeys(client, keys);
  if (!current.ok()) return "guard failed; cannot read it back: " + current.status().message();
  std::string reason = "changed concurrently:";
  for (const auto& compare : write.guard) {
    auto it = current->find(compare.key());
    reason += " " + compare.key() + (it == current->end()
                                          ? " is absent"
                                          : " is at mod_revision " + std::to_string(it->second.mod_revision));
    if (compare.target() == pb::Compare::MOD) {
      reason += " (planned at " + std::to_string(compare.mod_revision()) + ")";
    }
    reason += ";";
  }
  reason.pop_back();
  return reason;
}

// Writes in batches; a batch whose guard fails is retried object by object.
// `before_batch` runs first (the journal append); crash points after each
// step let tests interrupt anywhere.
Status WriteBatches(etcd::EtcdClient& client, std::vector<GuardedWrite>& writes,
                    const WriteOptions& options,
                    const std::function<Status(size_t begin, size_t end)>& before_batch,
                    WriteReport& report) {
  size_t begin = 0;
  while (begin < writes.size()) {
    size_t end = begin, bytes = 0;
    while (end < writes.size() && end - begin < options.batch_objects &&
           (end == begin || bytes + writes[end].bytes <= options.batch_bytes)) {
      bytes += writes[end++].bytes;
    }
    KETCD_RETURN_IF_ERROR(before_batch(begin, end));
    CrashPoint();
    auto committed = Commit(client, std::span(writes).subspan(begin, end - begin));
    if (!committed.ok()) return committed.status();
    if (*committed) {
      report.written += end - begin;
    } else {
      for (size_t i = begin; i < end; ++i) {
        auto one = Commit(client, std::span(writes).subspan(i, 1));
        if (!one.ok()) return one.status();
        if (*one) {
          ++report.written;
        } else {
          report.conflicts.push_back({writes[i].key, ConflictReason(client, writes[i])});
        }
      }
    }
    CrashPoint();
    begin = end;
    if (options.progress) options.progress(begin, writes.size());
  }
  return Status::Ok();
}

}  // namespace

Result<WriteReport> ApplyPlan(etcd::EtcdClient& client, const MigrationPlan& plan,
                              JournalWriter& journal, const WriteOptions& options) {
  std::vector<GuardedWrite> writes;
  for (const ObjectChange& change : plan.changes) {
    GuardedWrite write{change.key, {ModRevisionIs(change.key, change.mod_revision)}, {}, 0};
    if (change.new_key.empty()) {
      write.ops.push_back(Put(change.key, change.new_value, true));
    } else {
      write.guard.push_back(Absent(change.new_key));
      write.ops.push_back(Put(change.new_key, change.new_value, false));
      write.ops.push_back(Delete(change.key));
    }
    write.bytes = change.key.size() + change.new_key.size() + change.new_value.size();
    writes.push_back(std::move(write));
  }
  WriteReport report;
  KETCD_RETURN_IF_ERROR(WriteBatches(client, writes, options,
      [&](size_t begin, size_t end) {
        std::vector<JournalRecord> records;
        for (size_t i = begin; i < end; ++i) {
          const ObjectChange& change = plan.changes[i];
          records.push_back({change.key, change.new_key, change.mod_revision, change.old_value,
                             change.new_value});
        }
        return journal.Append(records);
      },
      report));
  return report;
}

Result<WriteReport> UndoJournal(etcd::EtcdClient& client, const Journal& journal,
                                const WriteOptions& options) {
  // One entry per object: the value before the first run touched it, and
  // the value the last run wrote. (A record whose write never happened
  // has the same old value as the re-run's record.)
  std::vector<JournalRecord> entries;
  std::map<std::string, size_t> by_key;
  for (const JournalRecord& record : journal.records) {
    auto [it, inserted] = by_key.try_emplace(record.key, entries.size());
    if (inserted) {
      entries.push_back(record);
    } else {
      entries[it->second].new_key = record.new_key;
      entries[it->second].new_value = record.new_value;
    }
  }
  std::reverse(entries.begin(), entries.end());

  WriteReport report;
  std::vector<GuardedWrite> writes;
  for (size_t begin = 0; begin < entries.size(); begin += options.batch_objects) {
    const size_t end = std::min(entries.size(), begin + options.batch_objects);
    std::vector<std::string> keys;
    for (size_t i = begin; i < end; ++i) {
      keys.push_back(entries[i].key);
      if (!entries[i].new_key.empty()) keys.push_back(entries[i].new_key);
    }
    auto current = ReadKeys(client, keys);
    if (!current.ok()) return current.status();
    auto state = [&](const std::string& key) -> const Current* {
      auto it = current->find(key);
      return it == current->end() ? nullptr : &it->second;
    };
    for (size_t i = begin; i < end; ++i) {
      const JournalRecord& entry = entries[i];
      const Current* at_key = state(entry.key);
      const bool moved = !entry.new_key.empty();
      const Current* written = moved ? state(entry.new_key) : at_key;
      if (at_key != nullptr && at_key->value == entry.old_value && (!moved || written == nullptr)) {
        ++report.skipped;  // never written, or restored already
        continue;
      }
      if (written == nullptr || written->value != entry.new_value || (moved && at_key != nullptr)) {
        report.conflicts.push_back({entry.key, "changed after the migration wrote it; left as it is"});
        continue;
      }
      const std::string& target = moved ? entry.new_key : entry.key;
      GuardedWrite write{entry.key, {ModRevisionIs(target, written->mod_revision)}, {}, 0};
      if (moved) {
        write.guard.push_back(Absent(entry.key));
        write.ops.push_back(Put(entry.key, entry.old_value, false));
        write.ops.push_back(Delete(entry.new_key));
      } else {
        write.ops.push_back(Put(entry.key, entry.old_value, true));
      }
      write.bytes = entry.key.size() + entry.new_key.size() + entry.old_value.size();
      writes.push_back(std::move(write));
    }
  }
  KETCD_RETURN_IF_ERROR(WriteBatches(client, writes, options,
                                     [](size_t, size_t) { return Status::Ok(); }, report));
  return report;
}

}  // namespace ketcd::migrate
