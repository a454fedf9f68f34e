#include "datadir/compare.h"

#include <algorithm>
#include <filesystem>

#include "snapshot/offline_keyspace.h"

namespace ketcd::datadir {
namespace {

Result<std::unique_ptr<snapshot::OfflineKeyspace>> OpenEither(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    auto backend = snapshot::BackendPathInDataDir(path);
    if (!backend.ok()) return backend.status();
    return snapshot::OfflineKeyspace::Open(*backend);
  }
  return snapshot::OfflineKeyspace::Open(path);
}

std::string Window(const std::string& path, const snapshot::OfflineKeyspace& keyspace) {
  return path + " holds revisions " + std::to_string(keyspace.compacted_revision()) + ".." +
         std::to_string(keyspace.current_revision());
}

}  // namespace

Result<Comparison> CompareKeyspaces(const std::string& a, const std::string& b, int64_t revision,
                                    const std::function<Status(const snapshot::KeyDifference&)>& on_difference) {
  auto left = OpenEither(a);
  if (!left.ok()) return left.status().WithContext(a);
  auto right = OpenEither(b);
  if (!right.ok()) return right.status().WithContext(b);
  Comparison result;
  result.revision = revision > 0 ? revision : std::min((*left)->current_revision(), (*right)->current_revision());
  for (const auto* side : {&*left, &*right}) {
    const snapshot::OfflineKeyspace& keyspace = **side;
    if (result.revision < keyspace.compacted_revision() || result.revision > keyspace.current_revision()) {
      return InvalidArgument("no revision to compare at: " + Window(a, **left) + ", " + Window(b, **right) +
                             (revision > 0 ? " (asked: " + std::to_string(revision) + ")" : ""));
    }
  }
  auto hash_a = (*left)->HashKv(result.revision);
  if (!hash_a.ok()) return hash_a.status().WithContext(a);
  auto hash_b = (*right)->HashKv(result.revision);
  if (!hash_b.ok()) return hash_b.status().WithContext(b);
  result.hash_a = hash_a->hash;
  result.hash_b = hash_b->hash;
  if (result.hash_a == result.hash_b) return result;
  snapshot::AtRevision before(**left, result.revision), after(**right, result.revision);
  KETCD_RETURN_IF_ERROR(snapshot::DiffKeyspaces(before, after, "", [&](const snapshot::KeyDifference& difference) {
    ++result.differing_keys;
    return on_difference(difference);
  }));
  return result;
}

}  // namespace ketcd::datadir
