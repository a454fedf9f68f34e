#include "snapshot/status.h"

#include "bolt/check.h"
#include "snapshot/backend_layout.h"
#include "util/crc32c.h"

namespace ketcd::snapshot {

Result<SnapshotStatus> ComputeStatus(const bolt::Database& db) {
  SnapshotStatus status;
  status.total_size = static_cast<int64_t>(db.size());
  Crc32c hash;
  std::string bucket;
  bolt::CheckOptions options;
  options.visit = [&](int depth, std::string_view key, std::string_view value, bool is_bucket) {
    if (depth == 0) {
      // etcdctl only hashes buckets; a plain key at the top level is not
      // an etcd backend.
      if (!is_bucket) return DataLoss("top-level key \"" + std::string(key) + "\" is not a bucket");
      bucket = key;
      hash.Update(key);
      return Status::Ok();
    }
    if (depth > 1) return Status::Ok();  // etcd has no nested buckets; etcdctl skips them
    hash.Update(key);
    hash.Update(value);
    ++status.total_keys;
    if (bucket == kKeyBucket && key.size() >= 8) {
      status.revision = static_cast<int64_t>(ReadBigEndian64(key));
    } else if (bucket == kMetaBucket) {
      if (key == "consistent_index" && value.size() == 8) {
        status.consistent_index = ReadBigEndian64(value);
      } else if (key == "term" && value.size() == 8) {
        status.term = ReadBigEndian64(value);
      } else if (key == "finishedCompactRev") {
        if (auto revision = ParseRevisionKey(value)) status.compacted_revision = revision->revision.main;
      }
    } else if (bucket == kClusterBucket && key == "clusterVersion") {
      status.cluster_version = value;
    } else if (bucket == kMembersBucket) {
      ++status.members;
    }
    return Status::Ok();
  };
  auto report = bolt::CheckDatabase(db, options);
  if (!report.ok()) return report.status();
  if (!report->problems.empty()) {
    std::string message = "integrity check failed: " + std::to_string(report->problems.size()) +
                          (report->problems.size() == options.max_problems ? "+" : "") +
                          " problem(s):";
    for (const auto& problem : report->problems) message += "\n  " + problem;
    return DataLoss(message);
  }
  status.hash = hash.value();
  return status;
}

}  // namespace ketcd::snapshot
