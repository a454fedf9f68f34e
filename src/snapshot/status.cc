#include "snapshot/status.h"

#include <array>

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
    }
  } else if (visit.bucket == kClusterBucket && key == "clusterVersion") {
    extras.cluster_version = value;
  } else if (visit.bucket == kMembersBucket) {
    ++extras.members;
  }
  return Status::Ok();
}

}  // namespace

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
    status.members += extras.members;
  }
  status.hash = hash.value();
  return status;
}

}  // namespace ketcd::snapshot
