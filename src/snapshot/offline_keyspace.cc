#include "snapshot/offline_keyspace.h"

#include <algorithm>

#include "etcd/mvcc/mvccpb/kv.pb.h"

namespace ketcd::snapshot {
namespace {

// etcd's range end: empty = the single key; "\0" = every key from `key` on.
bool BeforeEnd(std::string_view key, const std::string& start, const std::string& end) {
  if (end.empty()) return key == start;
  if (end == std::string(1, '\0')) return true;
  return key < end;
}

}  // namespace

Result<std::unique_ptr<OfflineKeyspace>> OfflineKeyspace::Open(const std::string& path) {
  auto file = OpenSnapshot(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<OfflineKeyspace> keyspace(new OfflineKeyspace(std::move(*file)));
  KETCD_RETURN_IF_ERROR(keyspace->BuildIndex().WithContext(path));
  return keyspace;
}

Status OfflineKeyspace::BuildIndex() {
  const bolt::Database& db = file_.db;
  auto key_bucket = db.Bucket(db.root(), kKeyBucket);
  if (!key_bucket.ok()) return DataLoss("not an etcd backend: " + key_bucket.status().message());
  key_bucket_ = *key_bucket;
  if (auto meta = db.Bucket(db.root(), kMetaBucket); meta.ok()) {
    auto finished = bolt::LookUp(db, *meta, "finishedCompactRev");
    if (!finished.ok()) return finished.status();
    if (*finished) {
      if (auto revision = ParseRevisionKey(**finished)) compacted_revision_ = revision->revision.main;
    }
  }
  bolt::Cursor cursor(db, key_bucket_);
  KETCD_RETURN_IF_ERROR(cursor.First());
  while (cursor.valid()) {
    auto revision = ParseRevisionKey(cursor.key());
    if (!revision) return DataLoss("bucket \"key\": malformed revision key");
    auto key = StoredUserKey(cursor.value());
    if (!key) {
      return DataLoss("bucket \"key\", revision " + std::to_string(revision->revision.main) +
                      ": value is not an mvccpb.KeyValue as etcd writes it");
    }
    index_.push_back({*key, revision->revision, revision->tombstone});
    current_revision_ = std::max(current_revision_, revision->revision.main);
    KETCD_RETURN_IF_ERROR(cursor.Next());
  }
  // Revisions come in ascending order; a stable sort by key keeps them so.
  std::stable_sort(index_.begin(), index_.end(),
                   [](const IndexEntry& a, const IndexEntry& b) { return a.key < b.key; });
  // A compaction can leave nothing behind; the revision still moved on.
  current_revision_ = std::max(current_revision_, compacted_revision_);
  return Status::Ok();
}

const OfflineKeyspace::IndexEntry* OfflineKeyspace::Visible(size_t first, size_t last,
                                                            int64_t revision) const {
  for (size_t i = last; i-- > first;) {
    if (index_[i].revision.main <= revision) return index_[i].tombstone ? nullptr : &index_[i];
  }
  return nullptr;
}

Status OfflineKeyspace::ReadValue(const IndexEntry& entry, mvccpb::KeyValue& kv) const {
  const std::string key = RevisionKeyBytes(entry.revision, entry.tombstone);
  auto value = bolt::LookUp(file_.db, key_bucket_, key);
  if (!value.ok()) return value.status();
  if (!*value) return Internal("revision vanished from the index");
  if (!kv.ParseFromArray((*value)->data(), static_cast<int>((*value)->size()))) {
    return DataLoss("revision " + std::to_string(entry.revision.main) +
                    ": value is not an mvccpb.KeyValue");
  }
  return Status::Ok();
}

Result<etcd::pb::RangeResponse> OfflineKeyspace::Range(const etcd::pb::RangeRequest& request) {
  const int64_t revision = request.revision() > 0 ? request.revision() : current_revision_;
  if (revision > current_revision_) {
    return Failed("etcdserver: mvcc: required revision is a future revision");
  }
  if (revision < compacted_revision_) {
    return Failed("etcdserver: mvcc: required revision has been compacted");
  }
  using Request = etcd::pb::RangeRequest;
  const bool key_order = request.sort_order() == Request::NONE ||
                         (request.sort_target() == Request::KEY &&
                          request.sort_order() == Request::ASCEND);
  const bool filtered = request.min_mod_revision() || request.max_mod_revision() ||
                        request.min_create_revision() || request.max_create_revision();
  etcd::pb::RangeResponse response;
  response.mutable_header()->set_revision(current_revision_);
  const std::string& start = request.key();
  auto first = std::lower_bound(index_.begin(), index_.end(), start,
                                [](const IndexEntry& e, const std::string& k) { return e.key < k; });
  int64_t count = 0;
  for (size_t i = first - index_.begin(); i < index_.size();) {
    size_t last = i;
    while (last < index_.size() && index_[last].key == index_[i].key) ++last;
    if (!BeforeEnd(index_[i].key, start, request.range_end())) break;
    const IndexEntry* visible = Visible(i, last, revision);
    i = last;
    if (visible == nullptr) continue;
    const bool page_full =
        key_order && request.limit() > 0 && response.kvs_size() >= request.limit();
    if (!filtered && (request.count_only() || page_full)) {
      ++count;
      if (page_full) response.set_more(true);
      continue;
    }
    mvccpb::KeyValue kv;
    KETCD_RETURN_IF_ERROR(ReadValue(*visible, kv));
    if ((request.min_mod_revision() && kv.mod_revision() < request.min_mod_revision()) ||
        (request.max_mod_revision() && kv.mod_revision() > request.max_mod_revision()) ||
        (request.min_create_revision() && kv.create_revision() < request.min_create_revision()) ||
        (request.max_create_revision() && kv.create_revision() > request.max_create_revision())) {
      continue;
    }
    ++count;
    if (request.count_only()) continue;
    if (page_full) {
      response.set_more(true);
      continue;
    }
    if (request.keys_only()) kv.clear_value();
    *response.add_kvs() = std::move(kv);
  }
  response.set_count(count);
  if (!key_order) {
    auto& kvs = *response.mutable_kvs();
    auto field = [&](const mvccpb::KeyValue& kv) -> std::pair<int64_t, std::string> {
      switch (request.sort_target()) {
        case Request::VERSION: return {kv.version(), ""};
        case Request::CREATE: return {kv.create_revision(), ""};
        case Request::MOD: return {kv.mod_revision(), ""};
        case Request::VALUE: return {0, kv.value()};
        default: return {0, kv.key()};
      }
    };
    std::stable_sort(kvs.begin(), kvs.end(), [&](const auto& a, const auto& b) {
      return request.sort_order() == Request::DESCEND ? field(b) < field(a) : field(a) < field(b);
    });
    if (request.limit() > 0 && kvs.size() > request.limit()) {
      response.set_more(true);
      kvs.DeleteSubrange(static_cast<int>(request.limit()),
                         kvs.size() - static_cast<int>(request.limit()));
    }
  }
  return response;
}

}  // namespace ketcd::snapshot
