#include "snapshot/offline_keyspace.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <future>

#include "bolt/format.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "snapshot/key_bucket_walk.h"
#include "util/crc32c.h"

namespace ketcd::snapshot {
namespace {

// The first 8 bytes of `text`, big-endian, zeros past its end.
uint64_t FirstBytes(std::string_view text) {
  uint64_t bytes = 0;
  for (size_t i = 0; i < 8; ++i) bytes = (bytes << 8) | (i < text.size() ? static_cast<unsigned char>(text[i]) : 0);
  return bytes;
}

}  // namespace

Result<std::unique_ptr<OfflineKeyspace>> OfflineKeyspace::Open(const std::string& path, KeyScope scope) {
  auto file = OpenSnapshot(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<OfflineKeyspace> keyspace(new OfflineKeyspace(std::move(*file), path, std::move(scope)));
  const bolt::Database& db = keyspace->file_.db;
  auto key_bucket = db.Bucket(db.root(), kKeyBucket);
  if (!key_bucket.ok()) return DataLoss("not an etcd backend: " + key_bucket.status().message()).WithContext(path);
  keyspace->key_bucket_ = *key_bucket;
  if (auto meta = db.Bucket(db.root(), kMetaBucket); meta.ok()) {
    auto finished = bolt::LookUp(db, *meta, "finishedCompactRev");
    if (!finished.ok()) return finished.status().WithContext(path);
    if (*finished) {
      if (auto revision = ParseRevisionKey(**finished)) keyspace->compacted_revision_ = revision->revision.main;
    }
  }
  // The bucket is in revision order: its last key is the newest revision.
  // A compaction can leave nothing behind; the revision still moved on.
  bolt::Cursor last(db, *key_bucket);
  KETCD_RETURN_IF_ERROR(last.Last().WithContext(path));
  if (last.valid()) {
    auto revision = ParseRevisionKey(last.key());
    if (!revision) return DataLoss("bucket \"key\": malformed revision key").WithContext(path);
    keyspace->current_revision_ = revision->revision.main;
  }
  keyspace->current_revision_ = std::max(keyspace->current_revision_, keyspace->compacted_revision_);
  return keyspace;
}

Status OfflineKeyspace::Indexed() const {
  std::call_once(indexed_, [this] {
    index_status_ = BuildIndex().WithContext(path_);
    if (index_status_.ok()) Order();
  });
  return index_status_;
}

Status OfflineKeyspace::BuildIndex() const {
  const bolt::Database& db = file_.db;
  const char* const file_start = db.file().data();
  std::array<IndexPart, 2> parts;
  KETCD_RETURN_IF_ERROR(WalkKeyBucket(db, key_bucket_, [&](int stretch, const StoredRevision& revision) {
    if (!scope_.Contains(revision.key)) return Status::Ok();
    IndexPart& part = parts[stretch];
    part.entries.push_back({part.keys.Copy(revision.key), FirstBytes(revision.key),
                            static_cast<uint64_t>(revision.stored.data() - file_start),
                            static_cast<uint32_t>(revision.key.size()), static_cast<uint32_t>(revision.stored.size()),
                            StoredValueSize(revision.stored), revision.revision.tombstone,
                            revision.revision.revision});
    return Status::Ok();
  }));
  if (parts[0].entries.size() + parts[1].entries.size() >= UINT32_MAX) {
    return Failed("more than 4 billion revisions in one file");
  }
  index_ = std::move(parts[0].entries);
  keys_ = std::move(parts[0].keys);
  const uint64_t shift = keys_.Adopt(std::move(parts[1].keys));
  index_.reserve(index_.size() + parts[1].entries.size());
  for (IndexEntry& entry : parts[1].entries) {
    entry.key_offset += shift;
    index_.push_back(entry);
  }
  return Status::Ok();
}

void OfflineKeyspace::Order() const {
  // Revisions are unique, so (key, revision) orders every entry.
  SortIndex(index_.data(), index_.data() + index_.size(), 0, 0, /*parallel=*/true);
  live_before_.push_back(0);
  for (size_t i = 0; i < index_.size(); ++i) {
    if (i == 0 || KeyOf(index_[i]) != KeyOf(index_[i - 1])) {
      if (i > 0) live_before_.push_back(live_before_.back() + (index_[i - 1].tombstone ? 0 : 1));
      group_starts_.push_back(static_cast<uint32_t>(i));
    }
  }
  if (!index_.empty()) live_before_.push_back(live_before_.back() + (index_.back().tombstone ? 0 : 1));
  group_starts_.push_back(static_cast<uint32_t>(index_.size()));
}

void OfflineKeyspace::SortIndex(IndexEntry* begin, IndexEntry* end, size_t depth, size_t cached_at,
                                bool parallel) const {
  // Keys share their first `depth` bytes. An MSD radix sort: registry keys
  // share long prefixes ("/registry/pods/ns-1/"), which a comparison sort
  // would compare again and again. Each entry caches 8 bytes of its key
  // from `cached_at` on, so a pass reads entries, not keys all over memory.
  while (end - begin > 32) {
    if (depth >= cached_at + 8) {
      cached_at = depth;
      for (IndexEntry* e = begin; e != end; ++e) {
        e->cached_bytes = FirstBytes(KeyOf(*e).substr(std::min<size_t>(depth, e->key_size)));
      }
    }
    // Bucket 0: keys that end here (equal keys), else the byte at `depth` + 1.
    const unsigned shift = static_cast<unsigned>(8 * (7 - (depth - cached_at)));
    auto bucket = [depth, shift](const IndexEntry& entry) -> size_t {
      return entry.key_size > depth ? ((entry.cached_bytes >> shift) & 0xFF) + 1 : 0;
    };
    std::array<size_t, 257> counts{};
    // While counting, which cached bytes differ anywhere and where the
    // shortest key ends: a stretch every key shares is skipped in one step.
    uint64_t differ = 0;
    size_t shortest = SIZE_MAX;
    for (const IndexEntry* e = begin; e != end; ++e) {
      ++counts[bucket(*e)];
      differ |= e->cached_bytes ^ begin->cached_bytes;
      shortest = std::min<size_t>(shortest, e->key_size);
    }
    if (counts[bucket(*begin)] == static_cast<size_t>(end - begin)) {
      if (bucket(*begin) == 0) break;  // every key equal: by revision, below
      // Every key agrees on this byte, and on the cached ones after it up
      // to the first that differs or the end of the shortest key.
      const size_t offset = depth - cached_at;
      differ <<= 8 * offset;
      const size_t agreed = differ == 0 ? 8 - offset : static_cast<size_t>(std::countl_zero(differ)) / 8;
      depth += std::max<size_t>(1, std::min(agreed, shortest - depth));
      continue;
    }
    std::array<size_t, 258> starts{};
    for (size_t b = 0; b < 257; ++b) starts[b + 1] = starts[b] + counts[b];
    std::array<size_t, 257> next;
    std::copy(starts.begin(), starts.end() - 1, next.begin());
    // In place: each entry is swapped straight into its bucket.
    for (size_t b = 0; b < 257; ++b) {
      while (next[b] < starts[b + 1]) {
        const size_t target = bucket(begin[next[b]]);
        if (target == b) {
          ++next[b];
        } else {
          std::swap(begin[next[b]], begin[next[target]++]);
        }
      }
    }
    std::sort(begin, begin + starts[1],
              [](const IndexEntry& a, const IndexEntry& b) { return a.revision < b.revision; });
    auto sort_buckets = [=, this](size_t from, size_t to, size_t except) {
      for (size_t b = from; b < to; ++b) {
        if (b != except && counts[b] > 1) SortIndex(begin + starts[b], begin + starts[b + 1], depth + 1, cached_at, false);
      }
    };
    if (!parallel) {
      sort_buckets(1, 257, 0);
      return;
    }
    // On two threads: a bucket of more than half the entries is split the
    // same way while another thread sorts the others; else the buckets
    // are cut where half the entries lie.
    const size_t total = static_cast<size_t>(end - begin);
    const size_t largest = static_cast<size_t>(std::max_element(counts.begin() + 1, counts.end()) - counts.begin());
    if (2 * counts[largest] > total) {
      auto others = std::async(std::launch::async, sort_buckets, 1, 257, largest);
      SortIndex(begin + starts[largest], begin + starts[largest + 1], depth + 1, cached_at, true);
      others.get();
      return;
    }
    size_t half = 1;
    while (half < 257 && 2 * starts[half] < total) ++half;
    auto upper = std::async(std::launch::async, sort_buckets, half, 257, 0);
    sort_buckets(1, half, 0);
    upper.get();
    return;
  }
  // Few entries: compared by their next 8 key bytes as one number, and by
  // whole keys only where those agree (or a key ends within them).
  for (IndexEntry* e = begin; e != end; ++e) {
    e->cached_bytes = FirstBytes(KeyOf(*e).substr(std::min<size_t>(depth, e->key_size)));
  }
  std::sort(begin, end, [this, depth](const IndexEntry& a, const IndexEntry& b) {
    if (a.cached_bytes != b.cached_bytes) return a.cached_bytes < b.cached_bytes;
    const int order = KeyOf(a).substr(std::min<size_t>(depth, a.key_size))
                          .compare(KeyOf(b).substr(std::min<size_t>(depth, b.key_size)));
    return order != 0 ? order < 0 : a.revision < b.revision;
  });
}

size_t OfflineKeyspace::GroupAtOrAfter(std::string_view key) const {
  size_t low = 0, high = group_starts_.size() - 1;
  while (low < high) {
    const size_t middle = (low + high) / 2;
    if (KeyOfGroup(middle) < key) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

std::pair<size_t, size_t> OfflineKeyspace::GroupsIn(const std::string& start, const std::string& end) const {
  const size_t groups = group_starts_.size() - 1;
  const size_t first = GroupAtOrAfter(start);
  if (end.empty()) return {first, first + (first < groups && KeyOfGroup(first) == start ? 1 : 0)};
  if (end == std::string(1, '\0')) return {first, groups};
  return {first, std::max(first, GroupAtOrAfter(end))};
}

const OfflineKeyspace::IndexEntry* OfflineKeyspace::Visible(size_t group, int64_t revision) const {
  for (size_t i = group_starts_[group + 1]; i-- > group_starts_[group];) {
    if (index_[i].revision.main <= revision) return index_[i].tombstone ? nullptr : &index_[i];
  }
  return nullptr;
}

Status OfflineKeyspace::ReadValue(const IndexEntry& entry, mvccpb::KeyValue& kv) const {
  const std::string_view stored = file_.db.file().substr(entry.stored_offset, entry.stored_size);
  file_.db.Touched(stored.size(), /*random_access=*/true);
  if (!kv.ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
    return DataLoss("revision " + std::to_string(entry.revision.main) +
                    ": value is not an mvccpb.KeyValue");
  }
  return Status::Ok();
}

Result<OfflineKeyspace::KvHash> OfflineKeyspace::HashKv(int64_t revision) const {
  if (revision == 0) revision = current_revision_;
  if (revision < compacted_revision_) return Failed("mvcc: required revision has been compacted");
  if (revision > current_revision_) return Failed("mvcc: required revision is a future revision");
  if (!scope_.Covers(std::string(1, '\0'), std::string(1, '\0'))) {
    return Failed("the keyspace of " + path_ + " was opened for some keys only, not for a hash of all");
  }
  KETCD_RETURN_IF_ERROR(Indexed());
  // What a compaction at `revision` keeps of each key (etcd's keyIndex.keep):
  // in the first generation that a deletion at or after `revision` ends (or
  // in the last one), the newest revision at or before it, unless that is
  // the deletion. Only those at or below the compacted revision matter.
  bool any_kept = false;
  std::vector<Revision> kept;
  for (size_t group = 0; group + 1 < group_starts_.size(); ++group) {
    const size_t start = group_starts_[group], end = group_starts_[group + 1];
    size_t generation = start, chosen_end = end;
    for (size_t i = start; i < end; ++i) {
      if (!index_[i].tombstone) continue;
      if (index_[i].revision.main >= revision) {
        chosen_end = i + 1;
        break;
      }
      generation = i + 1;
    }
    for (size_t i = chosen_end; i-- > generation;) {
      if (index_[i].revision.main > revision) continue;
      if (!index_[i].tombstone) {
        any_kept = true;
        if (index_[i].revision.main <= compacted_revision_) kept.push_back(index_[i].revision);
      }
      break;
    }
  }
  std::sort(kept.begin(), kept.end());

  Crc32c crc;
  crc.Update(kKeyBucket);
  bolt::Cursor cursor(file_.db, key_bucket_);
  Status step = cursor.First();
  for (; step.ok() && cursor.valid(); step = cursor.Next()) {
    auto parsed = ParseRevisionKey(cursor.key());
    if (!parsed) return DataLoss("bucket \"key\": malformed revision key");
    const Revision& at = parsed->revision;
    if (at.main > revision) break;  // the bucket is in revision order
    if (at.main <= compacted_revision_ && any_kept && !std::binary_search(kept.begin(), kept.end(), at)) continue;
    if (at.main == compacted_revision_ && parsed->tombstone) continue;
    crc.Update(cursor.key());
    crc.Update(cursor.value());
  }
  KETCD_RETURN_IF_ERROR(step);
  return KvHash{crc.value(), compacted_revision_, revision};
}

Result<etcd::pb::RangeResponse> OfflineKeyspace::Range(const etcd::pb::RangeRequest& request) {
  // A read outside the scope would find keys missing that the file holds.
  if (!scope_.Covers(request.key(), request.range_end())) {
    return Failed("reading " + path_ + ": a range outside the keys it was opened for (a ketcd bug)");
  }
  KETCD_RETURN_IF_ERROR(Indexed());
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
  const auto [first, last] = GroupsIn(request.key(), request.range_end());
  // At the current revision the index counts a range without reading it.
  const bool counted = !filtered && revision == current_revision_;
  const int64_t live = static_cast<int64_t>(live_before_[last] - live_before_[first]);
  if (counted && request.count_only()) {
    response.set_count(live);
    return response;
  }
  int64_t count = 0;
  for (size_t group = first; group < last; ++group) {
    const IndexEntry* visible = Visible(group, revision);
    if (visible == nullptr) continue;
    const bool page_full =
        key_order && request.limit() > 0 && response.kvs_size() >= request.limit();
    if (page_full && counted) {
      count = live;  // the rest need not be visited
      response.set_more(true);
      break;
    }
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
