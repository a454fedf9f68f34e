#include "snapshot/offline_keyspace.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <future>

#include "bolt/format.h"
#include "util/crc32c.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "util/varint.h"

namespace ketcd::snapshot {
namespace {

// The size of the value (field 5) of a stored mvccpb.KeyValue, read from
// its wire bytes; 0 when it has none (a tombstone) or they do not scan
// (reading the value then reports the damage).
uint32_t StoredValueSize(std::string_view stored) {
  uint64_t tag, value;
  while (!stored.empty() && ReadVarint(stored, &tag)) {
    const uint64_t wire = tag & 7;
    if (wire == 0) {
      if (!ReadVarint(stored, &value)) return 0;
    } else if (wire == 2) {
      if (!ReadVarint(stored, &value) || value > stored.size()) return 0;
      if ((tag >> 3) == 5) return static_cast<uint32_t>(value);
      stored.remove_prefix(value);
    } else {
      return 0;
    }
  }
  return 0;
}

// The first 8 bytes of `text`, big-endian, zeros past its end.
uint64_t FirstBytes(std::string_view text) {
  uint64_t bytes = 0;
  for (size_t i = 0; i < 8; ++i) bytes = (bytes << 8) | (i < text.size() ? static_cast<unsigned char>(text[i]) : 0);
  return bytes;
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
  if (auto meta = db.Bucket(db.root(), kMetaBucket); meta.ok()) {
    auto finished = bolt::LookUp(db, *meta, "finishedCompactRev");
    if (!finished.ok()) return finished.status();
    if (*finished) {
      if (auto revision = ParseRevisionKey(**finished)) compacted_revision_ = revision->revision.main;
    }
  }
  // Two halves, split at the middle child of the bucket's root page (the
  // tree is balanced, so they are about as large), walked at once.
  std::string_view middle;
  std::optional<Revision> until;  // the middle's revision, where the first half stops
  if (auto root = db.RootPage(*key_bucket); root.ok() && (root->flags & bolt::kBranchPage) && root->count >= 2) {
    auto element = bolt::ReadElement(*root, root->count / 2);
    if (!element.ok()) return element.status();
    middle = element->key;
    if (auto revision = ParseRevisionKey(middle)) until = revision->revision;
  }
  IndexPart first, second;
  std::future<Status> second_done;
  if (until) {
    second_done = std::async(std::launch::async,
                             [&] { return IndexRevisions(*key_bucket, middle, std::nullopt, second); });
  }
  Status first_done = IndexRevisions(*key_bucket, "", until, first);
  if (second_done.valid()) KETCD_RETURN_IF_ERROR(second_done.get());
  KETCD_RETURN_IF_ERROR(first_done);
  if (first.entries.size() + second.entries.size() >= UINT32_MAX) {
    return Failed("more than 4 billion revisions in one file");
  }
  index_ = std::move(first.entries);
  keys_ = std::move(first.keys);
  const uint64_t shift = keys_.Adopt(std::move(second.keys));
  index_.reserve(index_.size() + second.entries.size());
  for (IndexEntry& entry : second.entries) {
    entry.key_offset += shift;
    index_.push_back(entry);
  }
  second.entries = {};
  current_revision_ = std::max(first.last_revision, second.last_revision);
  // A compaction can leave nothing behind; the revision still moved on.
  current_revision_ = std::max(current_revision_, compacted_revision_);
  return Status::Ok();
}

void OfflineKeyspace::Order() const {
  std::call_once(ordered_, [this] {
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
  });
}

Status OfflineKeyspace::IndexRevisions(const bolt::BucketRef& bucket, std::string_view from,
                                       std::optional<Revision> until, IndexPart& part) const {
  const char* const file_start = file_.db.file().data();
  bolt::Cursor cursor(file_.db, bucket);
  KETCD_RETURN_IF_ERROR(from.empty() ? cursor.First() : cursor.Seek(from));
  while (cursor.valid()) {
    auto revision = ParseRevisionKey(cursor.key());
    if (!revision) return DataLoss("bucket \"key\": malformed revision key");
    if (until && revision->revision >= *until) break;
    const std::string_view stored = cursor.value();
    auto key = StoredUserKey(stored);
    if (!key || stored.size() > UINT32_MAX || key->size() > UINT32_MAX) {
      return DataLoss("bucket \"key\", revision " + std::to_string(revision->revision.main) +
                      ": value is not an mvccpb.KeyValue as etcd writes it");
    }
    part.entries.push_back({part.keys.Copy(*key), FirstBytes(*key), static_cast<uint64_t>(stored.data() - file_start),
                            static_cast<uint32_t>(key->size()), static_cast<uint32_t>(stored.size()),
                            StoredValueSize(stored), revision->tombstone, revision->revision});
    part.last_revision = std::max(part.last_revision, revision->revision.main);
    KETCD_RETURN_IF_ERROR(cursor.Next());
  }
  return Status::Ok();
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

uint64_t OfflineKeyspace::KeyBlocks::Copy(std::string_view key) {
  constexpr size_t kBlockSize = size_t{1} << 20;
  if (blocks_.empty() || size_ - used_ < key.size()) {
    size_ = std::max(kBlockSize, key.size());
    blocks_.push_back(std::make_unique<char[]>(size_));
    used_ = 0;
  }
  const uint64_t offset = (uint64_t{blocks_.size() - 1} << 32) | used_;
  std::memcpy(blocks_.back().get() + used_, key.data(), key.size());
  used_ += key.size();
  return offset;
}

uint64_t OfflineKeyspace::KeyBlocks::Adopt(KeyBlocks&& other) {
  const uint64_t shift = uint64_t{blocks_.size()} << 32;
  if (other.blocks_.empty()) return shift;
  for (auto& block : other.blocks_) blocks_.push_back(std::move(block));
  used_ = other.used_;
  size_ = other.size_;
  other = KeyBlocks();
  return shift;
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

void OfflineKeyspace::ForEachLiveKey(const std::string& start, const std::string& end,
                                     const std::function<void(const LiveKey&)>& on_key) const {
  Order();
  const auto [first, last] = GroupsIn(start, end);
  for (size_t group = first; group < last; ++group) {
    const IndexEntry& newest = index_[group_starts_[group + 1] - 1];
    if (newest.tombstone) continue;
    on_key({KeyOf(newest), newest.value_size, newest.revision.main});
  }
}

void OfflineKeyspace::ForEachLiveKeyUnordered(const std::string& start, const std::string& end,
                                              const std::function<void(const LiveKey&)>& on_key,
                                              const std::function<void(const LiveKey&)>& on_old) const {
  // Etcd's range end: "" the key start alone, "\0" everything from start.
  auto in_range = [&](std::string_view key) {
    if (end.empty()) return key == start;
    return key >= start && (end == std::string_view("\0", 1) || key < end);
  };
  // Each key's newest entry, found with flat open-addressing tables of
  // (hash, entry) pairs (one cache miss per entry, no allocation per key):
  // two, one per core, each for the keys whose hash has its top bit set or
  // not; the newest entries are marked, then visited in index order.
  struct Slot {
    uint64_t hash;
    uint32_t entry;  // UINT32_MAX: empty
  };
  const size_t capacity = std::bit_ceil(std::max<size_t>(16, index_.size()));
  std::vector<bool> newest(index_.size());
  std::vector<Slot> tables[2];
  auto fill = [&](int half) {
    std::vector<Slot>& table = tables[half];
    table.assign(capacity, Slot{0, UINT32_MAX});
    const std::hash<std::string_view> hasher;
    for (uint32_t i = 0; i < index_.size(); ++i) {
      const std::string_view key = KeyOf(index_[i]);
      const uint64_t hash = hasher(key);
      if (static_cast<int>(hash >> 63) != half || !in_range(key)) continue;
      for (size_t at = hash & (capacity - 1);; at = (at + 1) & (capacity - 1)) {
        Slot& slot = table[at];
        if (slot.entry == UINT32_MAX) {
          slot = {hash, i};
          break;
        }
        if (slot.hash == hash && KeyOf(index_[slot.entry]) == key) {
          if (index_[slot.entry].revision < index_[i].revision) slot.entry = i;
          break;
        }
      }
    }
  };
  std::future<void> other = std::async(std::launch::async, fill, 1);
  fill(0);
  other.get();
  for (const std::vector<Slot>& table : tables) {
    for (const Slot& slot : table) {
      if (slot.entry != UINT32_MAX && !index_[slot.entry].tombstone) newest[slot.entry] = true;
    }
  }
  tables[0] = {};
  tables[1] = {};
  for (uint32_t i = 0; i < index_.size(); ++i) {
    const IndexEntry& entry = index_[i];
    if (newest[i]) {
      on_key({KeyOf(entry), entry.value_size, entry.revision.main});
    } else if (on_old && in_range(KeyOf(entry))) {
      on_old({KeyOf(entry), entry.value_size, entry.revision.main});
    }
  }
}

Result<OfflineKeyspace::KvHash> OfflineKeyspace::HashKv(int64_t revision) const {
  if (revision == 0) revision = current_revision_;
  if (revision < compacted_revision_) return Failed("mvcc: required revision has been compacted");
  if (revision > current_revision_) return Failed("mvcc: required revision is a future revision");
  Order();
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

  const bolt::Database& db = file_.db;
  auto bucket = db.Bucket(db.root(), kKeyBucket);
  if (!bucket.ok()) return bucket.status();
  Crc32c crc;
  crc.Update(kKeyBucket);
  bolt::Cursor cursor(db, *bucket);
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
  Order();
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
