// OfflineKeyspace: etcd's Range over a snapshot file or a member's backend
// database, with no etcd running. Reads the MVCC state directly: the newest
// revision of each key at the requested revision, deletions respected,
// older revisions as far back as the file still holds them.
//
// The first read walks the "key" bucket once (it is ordered by revision,
// not by key), in two halves on two threads, and keeps a compact index of
// the keys in the scope it was opened for: every revision's key copied back
// to back into large blocks, with its revision, where its stored KeyValue
// lies in the file and how large its value is (about 56 bytes plus the key
// per revision held). Sorted by key, then revision (both halves of the sort
// on their own thread), the index answers which revision of a key is
// visible at any revision and counts a range at the current revision
// without reading it. Values are read from the mapped file only when a page
// of results is built, and the mapped pages are dropped as reading goes on
// (MappedFile::Touched), so memory does not grow with the file. Opening
// reads only the newest and the compacted revision, so what needs no index
// (ls and stats: live_keys.h) pays for none.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "etcd/range_reader.h"
#include "snapshot/backend_layout.h"
#include "snapshot/key_blocks.h"
#include "snapshot/key_scope.h"
#include "snapshot/snapshot_file.h"

namespace ketcd::snapshot {

class OfflineKeyspace : public etcd::RangeReader {
 public:
  // `scope`: the keys that will be read (the index holds no others; a
  // read outside it is refused).
  static Result<std::unique_ptr<OfflineKeyspace>> Open(const std::string& path, KeyScope scope = {});

  Result<etcd::pb::RangeResponse> Range(const etcd::pb::RangeRequest& request) override;

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
  // Needs a keyspace opened for every key.
  Result<KvHash> HashKv(int64_t revision = 0) const;

  int64_t current_revision() const { return current_revision_; }
  int64_t compacted_revision() const { return compacted_revision_; }
  const SnapshotFile& file() const { return file_; }

 private:
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
  };
  OfflineKeyspace(SnapshotFile file, std::string path, KeyScope scope)
      : file_(std::move(file)), path_(std::move(path)), scope_(std::move(scope)) {}
  // The index, built and sorted by key then revision on the first call;
  // its error, if building failed, on every call.
  Status Indexed() const;
  Status BuildIndex() const;
  // Sorts the index by key, then revision, and finds each key's group.
  void Order() const;
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
  const std::string path_;
  const KeyScope scope_;
  bolt::BucketRef key_bucket_;  // found by Open
  // Built on the first read, in revision order as read, then (Order) by
  // key, then by revision.
  mutable std::once_flag indexed_;
  mutable Status index_status_ = Status::Ok();
  mutable KeyBlocks keys_;  // every entry's key
  mutable std::vector<IndexEntry> index_;
  mutable std::vector<uint32_t> group_starts_;  // each distinct key's first entry, then index_.size()
  mutable std::vector<uint32_t> live_before_;   // keys live at the current revision among groups before i
  int64_t current_revision_ = 0;
  int64_t compacted_revision_ = 0;
};

}  // namespace ketcd::snapshot
