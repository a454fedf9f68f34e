#include "restore/backend_copy.h"

#include <set>


namespace ketcd::restore {
namespace {

// Writes bucket `name`: the source's keys (when `source_bucket` is set)
// but `removed`, merged with `overrides`, which win on equal keys.
Status WriteBucket(const bolt::Database& source, const bolt::BucketRef* source_bucket,
                   const std::string& name, const Entries& overrides,
                   const std::set<std::string, std::less<>>& removed, bolt::Writer& writer) {
  KETCD_RETURN_IF_ERROR(writer.BeginBucket(name));
  bolt::Cursor cursor(source, source_bucket ? *source_bucket : bolt::BucketRef{});
  if (source_bucket) KETCD_RETURN_IF_ERROR(cursor.First());
  auto next = overrides.begin();
  while ((source_bucket && cursor.valid()) || next != overrides.end()) {
    const bool from_source = source_bucket && cursor.valid();
    if (from_source && cursor.element().is_bucket) {
      return DataLoss("bucket \"" + name + "\" holds a nested bucket: not an etcd backend");
    }
    if (next != overrides.end() && (!from_source || next->first <= cursor.key())) {
      if (from_source && next->first == cursor.key()) KETCD_RETURN_IF_ERROR(cursor.Next());
      KETCD_RETURN_IF_ERROR(writer.Put(next->first, next->second));
      ++next;
      continue;
    }
    if (removed.find(cursor.key()) == removed.end()) {
      KETCD_RETURN_IF_ERROR(writer.Put(cursor.key(), cursor.value()));
    }
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
  // Every bucket name, in the order bbolt keeps them.
  std::set<std::string> names;
  bolt::Cursor buckets(source, source.root());
  KETCD_RETURN_IF_ERROR(buckets.First());
  while (buckets.valid()) {
    if (!buckets.element().is_bucket) {
      return DataLoss("top-level key \"" + std::string(buckets.key()) + "\" is not a bucket");
    }
    names.emplace(buckets.key());
    KETCD_RETURN_IF_ERROR(buckets.Next());
  }
  for (const auto& [name, _] : edits.merged) names.insert(name);
  for (const auto& [name, _] : edits.replaced) names.insert(name);
  for (const auto& [name, _] : edits.appended) names.insert(name);

  auto writer = bolt::Writer::Create(path, source.meta().page_size);
  if (!writer.ok()) return writer.status();
  static const Entries kNone;
  static const std::set<std::string, std::less<>> kNoKeys;
  for (const std::string& name : names) {
    auto replaced = edits.replaced.find(name);
    auto merged = edits.merged.find(name);
    const Entries& overrides = replaced != edits.replaced.end() ? replaced->second
                               : merged != edits.merged.end()   ? merged->second
                                                                : kNone;
    auto bucket = source.Bucket(source.root(), name);
    if (!bucket.ok() && bucket.status().code() != ErrorCode::kNotFound) return bucket.status();
    const bool copy = bucket.ok() && replaced == edits.replaced.end();
    auto removed = edits.removed.find(name);
    KETCD_RETURN_IF_ERROR(WriteBucket(source, copy ? &*bucket : nullptr, name, overrides,
                                      removed != edits.removed.end() ? removed->second : kNoKeys,
                                      **writer));
    if (auto append = edits.appended.find(name); append != edits.appended.end()) {
      KETCD_RETURN_IF_ERROR(append->second(**writer));
    }
  }
  return (*writer)->Finish();
}

}  // namespace ketcd::restore
