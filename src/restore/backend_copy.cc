#include "restore/backend_copy.h"

#include "bolt/writer.h"
#include "snapshot/backend_layout.h"

namespace ketcd::restore {
namespace {

using Entries = std::map<std::string, std::string>;

// Copies bucket `name`, with `overrides` put in place of (or among) its keys.
Status CopyBucket(const bolt::Database& source, std::string_view name, bolt::Writer& writer,
                  const Entries& overrides) {
  auto bucket = source.Bucket(source.root(), name);
  if (!bucket.ok()) return bucket.status();
  KETCD_RETURN_IF_ERROR(writer.BeginBucket(name));
  bolt::Cursor cursor(source, *bucket);
  KETCD_RETURN_IF_ERROR(cursor.First());
  auto next_override = overrides.begin();
  while (cursor.valid() || next_override != overrides.end()) {
    if (cursor.valid() && cursor.element().is_bucket) {
      return DataLoss("bucket \"" + std::string(name) + "\" holds a nested bucket: not an etcd backend");
    }
    if (next_override != overrides.end() &&
        (!cursor.valid() || next_override->first <= cursor.key())) {
      const bool replaces = cursor.valid() && next_override->first == cursor.key();
      KETCD_RETURN_IF_ERROR(writer.Put(next_override->first, next_override->second));
      ++next_override;
      if (replaces) KETCD_RETURN_IF_ERROR(cursor.Next());
      continue;
    }
    KETCD_RETURN_IF_ERROR(writer.Put(cursor.key(), cursor.value()));
    KETCD_RETURN_IF_ERROR(cursor.Next());
  }
  return Status::Ok();
}

}  // namespace

std::string BigEndian64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xFF);
  return bytes;
}

Status CopyBackend(const bolt::Database& source, const std::string& path,
                   const BackendEdits& edits) {
  auto writer = bolt::Writer::Create(path, source.meta().page_size);
  if (!writer.ok()) return writer.status();
  auto write_edits_alone = [&] {
    KETCD_RETURN_IF_ERROR((*writer)->BeginBucket(snapshot::kMetaBucket));
    for (const auto& [key, value] : edits.meta) KETCD_RETURN_IF_ERROR((*writer)->Put(key, value));
    return Status::Ok();
  };
  static const Entries kNone;
  bolt::Cursor buckets(source, source.root());
  KETCD_RETURN_IF_ERROR(buckets.First());
  bool wrote_meta = false;
  while (buckets.valid()) {
    if (!buckets.element().is_bucket) {
      return DataLoss("top-level key \"" + std::string(buckets.key()) + "\" is not a bucket");
    }
    const std::string name(buckets.key());
    if (!wrote_meta && !edits.meta.empty() && name > snapshot::kMetaBucket) {
      // The snapshot has no meta bucket: it goes here, in name order.
      KETCD_RETURN_IF_ERROR(write_edits_alone());
      wrote_meta = true;
    }
    const bool is_meta = name == snapshot::kMetaBucket;
    KETCD_RETURN_IF_ERROR(CopyBucket(source, name, **writer, is_meta ? edits.meta : kNone));
    wrote_meta = wrote_meta || is_meta;
    KETCD_RETURN_IF_ERROR(buckets.Next());
  }
  if (!wrote_meta && !edits.meta.empty()) KETCD_RETURN_IF_ERROR(write_edits_alone());
  return (*writer)->Finish();
}

}  // namespace ketcd::restore
