#include "snapshot/verify.h"

#include <future>

#include "bolt/check.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "snapshot/backend_layout.h"

namespace ketcd::snapshot {
namespace {

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string text;
  for (unsigned char c : bytes) {
    text += digits[c >> 4];
    text += digits[c & 15];
  }
  return text;
}

// What is wrong with one entry of the "key" bucket ("" when nothing).
std::string CheckRevisionEntry(std::string_view key, std::string_view value,
                               VerifyReport& report) {
  auto revision = ParseRevisionKey(key);
  if (!revision) return "malformed revision key";
  mvccpb::KeyValue kv;
  if (!kv.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return "value is not an mvccpb.KeyValue";
  }
  if (kv.key().empty()) return "KeyValue without a key";
  ++report.revisions;
  report.last_revision = revision->revision.main;
  if (revision->tombstone) {
    ++report.tombstones;
    return "";
  }
  if (kv.mod_revision() != revision->revision.main) {
    return "mod_revision " + std::to_string(kv.mod_revision()) + " differs from the key's " +
           std::to_string(revision->revision.main);
  }
  if (kv.create_revision() <= 0 || kv.create_revision() > kv.mod_revision() || kv.version() < 1) {
    return "inconsistent create_revision/version";
  }
  return "";
}

}  // namespace

Result<VerifyReport> Verify(const SnapshotFile& file, size_t max_problems, bool check_trailer) {
  VerifyReport report;
  // The trailer's sha256 on another core while the pages and revisions are
  // checked: two passes over the file in about the time of one.
  std::future<Status> trailer;
  if (file.trailer && check_trailer) {
    trailer = std::async(std::launch::async, [&file] { return CheckTrailer(file); });
  }
  std::vector<std::string> entry_problems;
  bool has_key_bucket = false;
  bolt::CheckOptions options;
  options.max_problems = max_problems;
  options.visit = [&](const bolt::Visit& visit) {
    if (visit.depth == 0) {
      has_key_bucket = has_key_bucket || visit.key == kKeyBucket;
    } else if (visit.depth == 1 && visit.bucket == kKeyBucket) {
      std::string problem = CheckRevisionEntry(visit.key, visit.value, report);
      if (!problem.empty() && entry_problems.size() < max_problems) {
        entry_problems.push_back("bucket \"key\", revision key " + Hex(visit.key) + ": " + problem);
      }
    }
    return Status::Ok();
  };
  auto structure = bolt::CheckDatabase(file.db, options);
  if (trailer.valid()) {
    Status checked = trailer.get();
    report.trailer = checked.ok() ? VerifyReport::Trailer::kMatches : VerifyReport::Trailer::kMismatch;
    if (!checked.ok()) report.problems.push_back(checked.message());
  }
  if (!structure.ok()) return structure.status();
  report.pages_reachable = structure->pages_reachable;
  report.pages_free = structure->pages_free;
  for (auto& problem : structure->problems) report.problems.push_back(std::move(problem));
  for (auto& problem : entry_problems) report.problems.push_back(std::move(problem));
  if (!has_key_bucket) report.problems.emplace_back("no \"key\" bucket: not an etcd backend");
  return report;
}

}  // namespace ketcd::snapshot
