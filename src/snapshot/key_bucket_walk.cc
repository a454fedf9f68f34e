#include "snapshot/key_bucket_walk.h"

#include <future>
#include <optional>
#include <string>

#include "bolt/format.h"
#include "util/varint.h"

namespace ketcd::snapshot {
namespace {

// The revisions from the key `from` ("": the first) up to the revision
// `until` (none: to the last).
Status WalkStretch(const bolt::Database& db, const bolt::BucketRef& bucket, std::string_view from,
                   std::optional<Revision> until, int stretch,
                   const std::function<Status(int, const StoredRevision&)>& visit) {
  bolt::Cursor cursor(db, bucket);
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
    KETCD_RETURN_IF_ERROR(visit(stretch, {*revision, *key, stored}));
    KETCD_RETURN_IF_ERROR(cursor.Next());
  }
  return Status::Ok();
}

}  // namespace

Status WalkKeyBucket(const bolt::Database& db, const bolt::BucketRef& bucket,
                     const std::function<Status(int stretch, const StoredRevision&)>& visit) {
  std::string_view middle;
  std::optional<Revision> until;  // the middle's revision, where stretch 0 stops
  if (auto root = db.RootPage(bucket); root.ok() && (root->flags & bolt::kBranchPage) && root->count >= 2) {
    auto element = bolt::ReadElement(*root, root->count / 2);
    if (!element.ok()) return element.status();
    middle = element->key;
    if (auto revision = ParseRevisionKey(middle)) until = revision->revision;
  }
  std::future<Status> second;
  if (until) {
    second = std::async(std::launch::async,
                        [&] { return WalkStretch(db, bucket, middle, std::nullopt, 1, visit); });
  }
  const Status first = WalkStretch(db, bucket, "", until, 0, visit);
  if (second.valid()) KETCD_RETURN_IF_ERROR(second.get());
  return first;
}

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

}  // namespace ketcd::snapshot
