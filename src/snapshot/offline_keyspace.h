// OfflineKeyspace: etcd's Range over a snapshot file or a member's backend
// database, with no etcd running. Reads the MVCC state directly: the newest
// revision of each key at the requested revision, deletions respected,
// older revisions as far back as the file still holds them.
//
// Opening walks the "key" bucket once (it is ordered by revision, not by
// key), in two halves on two threads, and keeps a compact index: every
// revision's key copied back to back into large blocks, with its revision,
// where its stored KeyValue lies in the file and how large its value is
// (about 56 bytes plus the key per revision held). Sorted by key, then
// revision (both halves of the sort on their own thread), the index answers which
// revision of a key is visible at any revision, counts a range at the
// current revision without reading it, and lets ls/stats run on keys and
// sizes alone. Values are read from the mapped file only when a page of
// results is built, and the mapped pages are dropped as reading goes on
// (MappedFile::Touched), so memory does not grow with the file.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etcd/range_reader.h"
#include "snapshot/backend_layout.h"
#include "snapshot/snapshot_file.h"

namespace ketcd::snapshot {

class OfflineKeyspace : public etcd::RangeReader {
 public:
  static Result<std::unique_ptr<OfflineKeyspace>> Open(const std::string& path);

  Result<etcd::pb::RangeResponse> Range(const etcd::pb::RangeRequest& request) override;

  // Each key live at the current revision in [start, end) (etcd's range
  // end: "" the key start alone, "\0" to the end), in key order, with the
  // size of its value, and no value read.
  struct LiveKey {
    std::string_view key;
    int64_t value_bytes;
    int64_t mod_revision;
  };
  void ForEachLiveKey(const std::string& start, const std::string& end,
                      const std::function<void(const LiveKey&)>& on_key) const;
  // The same keys in no particular order, found by hashing instead of the
  // sort that key order needs (the sort is half of opening a large file):
  // for totals that do not depend on order (ls, stats). `on_old`, when
  // given, gets every other revision in the range the file holds: what a
  // compaction at the current revision would free (older revisions of
  // every key, and deletions; value_bytes 0 for a deletion).
  void ForEachLiveKeyUnordered(const std::string& start, const std::string& end,
                               const std::function<void(const LiveKey&)>& on_key,
                               const std::function<void(const LiveKey&)>& on_old = nullptr) const;

  // etcd's hash of the MVCC history up to `revision` (0: the current one),
  // as the HashKV RPC and `etcdutl hashkv` compute it: CRC-32C of the
  // bucket name "key", then of each revision key and stored value in
  // revision order; at or below the compacted revision only the revisions a
  // compaction at `revision` would keep (each key's newest before it,
  // unless that is a deletion), and never a deletion at the compacted
  // revision itself (etcd versions differ in whether they keep it).
  struct KvHash {
    uint32_t hash = 0;
    int64_t compact_revision = 0;
    int64_t revision = 0;
  };
  Result<KvHash> HashKv(int64_t revision = 0) const;

  int64_t current_revision() const { return current_revision_; }
  int64_t compacted_revision() const { return compacted_revision_; }
  const SnapshotFile& file() const { return file_; }

 private:
  // Keys copied back to back into large blocks; each is found by its
  // offset, block index << 32 | position.
  class KeyBlocks {
   public:
    uint64_t Copy(std::string_view key);
    std::string_view View(uint64_t offset, uint32_t size) const {
      return {blocks_[offset >> 32].get() + (offset & 0xFFFFFFFF), size};
    }
    // Takes `other`'s blocks after its own; returns what to add to the
    // offsets `other` gave out.
    uint64_t Adopt(KeyBlocks&& other);

   private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    size_t used_ = 0, size_ = 0;  // of the last block
  };
  struct IndexEntry {
    uint64_t key_offset;     // in keys_
    uint64_t cached_bytes;   // 8 bytes of the key, big-endian, for SortIndex
    uint64_t stored_offset;  // the stored mvccpb.KeyValue, in the file
    uint32_t key_size;
    uint32_t stored_size;
    uint32_t value_size;     // of the user value inside it
    bool tombstone;
    Revision revision;
  };
  // The index entries of one stretch of the "key" bucket, with their keys.
  struct IndexPart {
    std::vector<IndexEntry> entries;
    KeyBlocks keys;
    int64_t last_revision = 0;
  };
  explicit OfflineKeyspace(SnapshotFile file) : file_(std::move(file)) {}
  Status BuildIndex();
  // Sorts the index by key, then revision, and finds each key's group: on
  // the first call that needs key order (ForEachLiveKeyUnordered does not).
  void Order() const;
  // Indexes the "key" bucket from the key `from` ("": its first) up to the
  // revision `until` (none: to its last).
  Status IndexRevisions(const bolt::BucketRef& bucket, std::string_view from, std::optional<Revision> until,
                        IndexPart& part) const;
  // Sorts [begin, end), whose keys share their first `depth` bytes, by key
  // then revision; `parallel`: the buckets of its first split in two halves,
  // one on another thread.
  void SortIndex(IndexEntry* begin, IndexEntry* end, size_t depth, size_t cached_at, bool parallel) const;
  std::string_view KeyOf(const IndexEntry& entry) const { return keys_.View(entry.key_offset, entry.key_size); }
  std::string_view KeyOfGroup(size_t group) const { return KeyOf(index_[group_starts_[group]]); }
  // The first group whose key is >= key.
  size_t GroupAtOrAfter(std::string_view key) const;
  // The groups [first, last) a request's [key, range_end) covers.
  std::pair<size_t, size_t> GroupsIn(const std::string& start, const std::string& end) const;
  // The entry of `group` visible at `revision`, or nullptr.
  const IndexEntry* Visible(size_t group, int64_t revision) const;
  Status ReadValue(const IndexEntry& entry, mvccpb::KeyValue& kv) const;

  SnapshotFile file_;
  KeyBlocks keys_;  // every entry's key
  // In revision order as read, then (Order) by key, then by revision; the
  // groups are found by Order too.
  mutable std::once_flag ordered_;
  mutable std::vector<IndexEntry> index_;
  mutable std::vector<uint32_t> group_starts_;  // each distinct key's first entry, then index_.size()
  mutable std::vector<uint32_t> live_before_;   // keys live at the current revision among groups before i
  int64_t current_revision_ = 0;
  int64_t compacted_revision_ = 0;
};

}  // namespace ketcd::snapshot
