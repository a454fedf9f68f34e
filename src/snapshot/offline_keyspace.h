// OfflineKeyspace: etcd's Range over a snapshot file or a member's backend
// database, with no etcd running. Reads the MVCC state directly: the newest
// revision of each key at the requested revision, deletions respected,
// older revisions as far back as the file still holds them.
//
// Opening indexes every revision in the "key" bucket: key (pointing into
// the mapped file) and revision, about 40 bytes per revision held. Values
// are read from the mapped file only when a page of results is built, so
// memory does not grow with the size of the values.
#pragma once

#include <memory>
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

  int64_t current_revision() const { return current_revision_; }
  const SnapshotFile& file() const { return file_; }

 private:
  struct IndexEntry {
    std::string_view key;
    Revision revision;
    bool tombstone;
  };
  explicit OfflineKeyspace(SnapshotFile file) : file_(std::move(file)) {}
  Status BuildIndex();
  // The entry visible at `revision` among entries [first, last) of one key.
  const IndexEntry* Visible(size_t first, size_t last, int64_t revision) const;
  Status ReadValue(const IndexEntry& entry, mvccpb::KeyValue& kv) const;

  SnapshotFile file_;
  bolt::BucketRef key_bucket_;
  std::vector<IndexEntry> index_;  // by key, then by revision
  int64_t current_revision_ = 0;
  int64_t compacted_revision_ = 0;
};

}  // namespace ketcd::snapshot
