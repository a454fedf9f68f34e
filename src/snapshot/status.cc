#include "snapshot/status.h"

#include <array>
#include <functional>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "bolt/check.h"
#include "snapshot/backend_layout.h"
#include "util/crc32c.h"

namespace ketcd::snapshot {
namespace {

// What one segment of the parallel walk saw (bolt::CheckOptions::parallel).
struct Segment {
  Crc32c hash = Crc32c::Segment();
  uint64_t bytes = 0;
  int64_t keys = 0;
  int64_t last_revision = -1;  // of the "key" bucket, -1: none seen
  SnapshotStatus extras;       // meta, cluster and members figures

  void Hash(std::string_view bytes_to_hash) {
    hash.Update(bytes_to_hash);
    bytes += bytes_to_hash.size();
  }
};

Status Record(Segment& segment, const bolt::Visit& visit) {
  if (visit.depth == 0) {
    // etcdctl only hashes buckets; a plain key at the top level is not an
    // etcd backend.
    if (!visit.is_bucket) {
      return DataLoss("top-level key \"" + std::string(visit.key) + "\" is not a bucket");
    }
    segment.Hash(visit.key);
    return Status::Ok();
  }
  if (visit.depth > 1) return Status::Ok();  // etcd has no nested buckets; etcdctl skips them
  segment.Hash(visit.key);
  segment.Hash(visit.value);
  ++segment.keys;
  const std::string_view key = visit.key, value = visit.value;
  SnapshotStatus& extras = segment.extras;
  if (visit.bucket == kKeyBucket && key.size() >= 8) {
    segment.last_revision = static_cast<int64_t>(ReadBigEndian64(key));
  } else if (visit.bucket == kMetaBucket) {
    if (key == "consistent_index" && value.size() == 8) {
      extras.consistent_index = ReadBigEndian64(value);
    } else if (key == "term" && value.size() == 8) {
      extras.term = ReadBigEndian64(value);
    } else if (key == "finishedCompactRev") {
      if (auto revision = ParseRevisionKey(value)) extras.compacted_revision = revision->revision.main;
    } else if (key == "storageVersion") {
      extras.storage_version = value;
    }
  } else if (visit.bucket == kClusterBucket && key == "clusterVersion") {
    extras.cluster_version = value;
  } else if (visit.bucket == kMembersBucket) {
    ++extras.members;
  }
  return Status::Ok();
}

// Go's semver.NewVersion as etcdutl applies it to the storage version:
// MAJOR.MINOR.PATCH of digits (what etcd writes), else no version.
std::string StorageVersionText(const std::string& value) {
  int parts = 0;
  bool digit_seen = false;
  for (char c : value) {
    if (c >= '0' && c <= '9') {
      digit_seen = true;
    } else if (c == '.' && digit_seen) {
      ++parts, digit_seen = false;
    } else {
      return "";
    }
  }
  return parts == 2 && digit_seen ? value : "";
}

}  // namespace

Result<int64_t> CountLiveKeys(const bolt::Database& db) {
  auto bucket = db.Bucket(db.root(), kKeyBucket);
  if (!bucket.ok()) return int64_t{0};  // no "key" bucket: nothing alive
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& h) const { return h.first; }
  };
  std::unordered_set<std::pair<uint64_t, uint64_t>, PairHash> live;
  bolt::Cursor cursor(db, *bucket);
  KETCD_RETURN_IF_ERROR(cursor.First());
  while (cursor.valid()) {
    auto key = StoredUserKey(cursor.value());
    if (!key) return DataLoss("bucket \"key\": a value is not an mvccpb.KeyValue");
    uint64_t fnv = 0xcbf29ce484222325ULL;  // FNV-1a, independent of std::hash
    for (unsigned char c : *key) fnv = (fnv ^ c) * 0x100000001b3ULL;
    const std::pair<uint64_t, uint64_t> id{std::hash<std::string_view>()(*key), fnv};
    auto revision = ParseRevisionKey(cursor.key());
    if (revision && revision->tombstone) {
      live.erase(id);
    } else {
      live.insert(id);
    }
    KETCD_RETURN_IF_ERROR(cursor.Next());
  }
  return static_cast<int64_t>(live.size());
}

bool UsesEtcdutl36(const SnapshotStatus& status, EtcdutlCompat compat) {
  return compat == EtcdutlCompat::k36 || (compat == EtcdutlCompat::kAuto && !status.storage_version.empty());
}

Result<EtcdutlStatus> ComputeEtcdutlStatus(const bolt::Database& db, EtcdutlCompat compat) {
  auto status = ComputeStatus(db);
  if (!status.ok()) return status.status();
  EtcdutlStatus result{std::move(*status), false};
  result.etcdutl_36 = UsesEtcdutl36(result.status, compat);
  if (result.etcdutl_36) {
    auto live = CountLiveKeys(db);
    if (!live.ok()) return live.status();
    result.status.total_keys = *live;
  }
  return result;
}

Result<SnapshotStatus> ComputeStatus(const bolt::Database& db) {
  std::array<Segment, 3> segments;
  segments[0].hash = Crc32c();  // the first segment starts the hash
  bolt::CheckOptions options;
  options.parallel = true;
  options.visit = [&](const bolt::Visit& visit) { return Record(segments[visit.segment], visit); };
  auto report = bolt::CheckDatabase(db, options);
  if (!report.ok()) return report.status();
  if (!report->problems.empty()) {
    std::string message = "integrity check failed: " + std::to_string(report->problems.size()) +
                          (report->problems.size() == options.max_problems ? "+" : "") +
                          " problem(s):";
    for (const auto& problem : report->problems) message += "\n  " + problem;
    return DataLoss(message);
  }
  SnapshotStatus status;
  status.total_size = static_cast<int64_t>(db.size());
  Crc32c hash = segments[0].hash;
  for (const Segment& segment : segments) {
    if (&segment != &segments[0]) hash.Append(segment.hash, segment.bytes);
    status.total_keys += segment.keys;
    if (segment.last_revision >= 0) status.revision = segment.last_revision;
    const SnapshotStatus& extras = segment.extras;
    if (extras.consistent_index) status.consistent_index = extras.consistent_index;
    if (extras.term) status.term = extras.term;
    if (extras.compacted_revision) status.compacted_revision = extras.compacted_revision;
    if (!extras.cluster_version.empty()) status.cluster_version = extras.cluster_version;
    if (!extras.storage_version.empty()) status.storage_version = StorageVersionText(extras.storage_version);
    status.members += extras.members;
  }
  status.hash = hash.value();
  return status;
}

}  // namespace ketcd::snapshot
