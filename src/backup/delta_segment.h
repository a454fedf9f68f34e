// A delta segment: the changes etcd's watch reported for a run of
// revisions after a full backup, each revision with the wall time it was
// seen, so a chain (a full snapshot, then its segments) can be restored to
// any revision or moment it covers (issue 18's point-in-time restore).
//
// The plain bytes, before backup/archive_format.h's zstd and AES-256-GCM
// layers:
//
//   "KETCDDELTA\x01\n"
//   blocks, one per revision, in increasing revision order:
//     revision (varint) | unix time in ms (varint) | block bytes (varint)
//     events, filling the block bytes: length (varint) | mvccpb.Event
//
// Events are as the watch sent them, in its order: a PUT with the whole
// KeyValue (key, value, create and mod revision, version, lease), a DELETE
// with the key and its mod revision (the deletion's). Several events share
// a revision when one transaction made them.
//
// A segment is read back from a store others can write to: the reader
// checks every length against what is left and against kMaxDeltaBlockBytes,
// parses every event, and refuses (kDataLoss, naming the revision) a
// revision out of order, a time going back, an event whose mod revision is
// not its block's, or a truncated block; never an exception.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backup/byte_stream.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"

namespace ketcd::backup {

inline constexpr std::string_view kDeltaSegmentMagic{"KETCDDELTA\x01\n", 12};
// etcd refuses requests above --max-request-bytes (1.5 MiB by default,
// rarely raised past 10 MiB): one revision's events stay far below this.
inline constexpr uint64_t kMaxDeltaBlockBytes = 256ull << 20;

struct DeltaRevision {
  int64_t revision = 0;
  int64_t unix_millis = 0;  // when the watch delivered it
  std::vector<mvccpb::Event> events;
};

// Writes revisions to `out` in the segment format; the caller gives them in
// increasing revision order with times that do not go back (Add refuses
// others: kInvalidArgument). Finish() finishes `out` too.
class DeltaSegmentWriter {
 public:
  explicit DeltaSegmentWriter(ByteSink& out) : out_(out) {}
  Status Add(const DeltaRevision& revision);
  Status Finish();

  int64_t first_revision() const { return first_revision_; }  // 0: none yet
  int64_t last_revision() const { return last_revision_; }
  int64_t first_unix_millis() const { return first_unix_millis_; }
  int64_t last_unix_millis() const { return last_unix_millis_; }
  int64_t events() const { return events_; }
  int64_t plain_bytes() const { return plain_bytes_; }

 private:
  Status Write(std::string_view bytes);

  ByteSink& out_;
  std::string block_;  // reused for every revision
  int64_t first_revision_ = 0, last_revision_ = 0;
  int64_t first_unix_millis_ = 0, last_unix_millis_ = 0;
  int64_t events_ = 0, plain_bytes_ = 0;
};

// Parses a segment's plain bytes as they arrive (put it behind
// ArchiveReader) and hands each revision to `on_revision`, whose error
// stops the reading. Finish() refuses a segment that ends mid-block or
// holds no magic. Memory: one block at most.
class DeltaSegmentReader : public ByteSink {
 public:
  explicit DeltaSegmentReader(std::function<Status(DeltaRevision&&)> on_revision)
      : on_revision_(std::move(on_revision)) {}
  Status Write(std::string_view bytes) override;
  Status Finish() override;

  int64_t last_revision() const { return last_revision_; }

 private:
  // Parses the complete blocks at the front of buffer_.
  Status ParseBlocks();

  std::function<Status(DeltaRevision&&)> on_revision_;
  std::string buffer_;
  bool magic_seen_ = false;
  int64_t last_revision_ = 0, last_unix_millis_ = 0;
};

}  // namespace ketcd::backup
