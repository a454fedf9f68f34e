#include "backup/point_in_time.h"

#include <chrono>
#include <cstdio>

#include "backup/archive_format.h"
#include "backup/catalog.h"
#include "backup/delta_segment.h"
#include "restore/backend_copy.h"
#include "snapshot/backend_layout.h"
#include "snapshot/snapshot_file.h"
#include "snapshot/verify.h"
#include "util/private_dir.h"
#include "util/sha256.h"
#include "util/string_building.h"
#include "util/utc_time.h"

namespace ketcd::backup {
namespace {

bool Covers(const Chain& chain, const RestorePoint& point) {
  switch (point.kind) {
    case RestorePoint::Kind::kLatest:
      return true;
    case RestorePoint::Kind::kRevision:
      return chain.full.manifest.revision <= point.revision && point.revision <= chain.last_revision;
    case RestorePoint::Kind::kTime:
      // The full backup's revision counts as seen when the backup started.
      return chain.full.manifest.created * 1000 <= point.unix_millis;
  }
  return false;
}

// Among the chains covering `point`: for the latest, the one reaching
// furthest; for a revision, the one whose full backup is newest (fewest
// revisions to apply); for a time, likewise among those whose window
// reaches it, else the one reaching furthest (a merged backup, `backup
// compact`, ends where its chain went on: it must not win a later time).
// Ties go to the newer full backup.
const Chain* Choose(const std::vector<Chain>& chains, const RestorePoint& point) {
  const Chain* chosen = nullptr;
  auto reaches = [&](const Chain& chain) {
    return point.kind == RestorePoint::Kind::kTime && chain.last_seen_millis >= point.unix_millis;
  };
  for (const Chain& chain : chains) {
    if (!Covers(chain, point)) continue;
    if (chosen == nullptr) {
      chosen = &chain;
      continue;
    }
    const int64_t full = chain.full.manifest.revision, chosen_full = chosen->full.manifest.revision;
    bool better;
    if (point.kind == RestorePoint::Kind::kRevision || (reaches(chain) && reaches(*chosen))) {
      better = full > chosen_full;
    } else if (reaches(chain) != reaches(*chosen)) {
      better = reaches(chain);
    } else {
      better = chain.last_revision > chosen->last_revision ||
               (chain.last_revision == chosen->last_revision && full > chosen_full);
    }
    if (better) chosen = &chain;
  }
  return chosen;
}

std::string Windows(const std::vector<Chain>& chains) {
  std::string text;
  for (const Chain& chain : chains) {
    AppendToList(text,
                 chain.full.manifest.name + ": revisions " + std::to_string(chain.full.manifest.revision) + ".." +
                     std::to_string(chain.last_revision) + ", " + Rfc3339Utc(chain.full.manifest.created) + ".." +
                     Rfc3339MillisUtc(chain.last_seen_millis),
                 "; ");
  }
  return text.empty() ? "no full backup found" : "restorable: " + text;
}

// What a segment held, read whole, against what its manifest says: a
// manifest cannot widen or narrow the window its object fills.
struct SegmentFigures {
  int64_t first_revision = 0, last_revision = 0, events = 0;
  int64_t first_seen_millis = 0, last_seen_millis = 0;

  void Count(const DeltaRevision& revision) {
    if (first_revision == 0) {
      first_revision = revision.revision;
      first_seen_millis = revision.unix_millis;
    }
    last_revision = revision.revision;
    last_seen_millis = revision.unix_millis;
    events += static_cast<int64_t>(revision.events.size());
  }

  Status Match(const Manifest& m) const {
    if (first_revision == m.first_revision && last_revision == m.revision && events == m.total_keys &&
        first_seen_millis == m.first_seen_millis && last_seen_millis == m.last_seen_millis) {
      return Status::Ok();
    }
    return DataLoss(m.name + ": holds revisions " + std::to_string(first_revision) + ".." +
                    std::to_string(last_revision) + " (" + std::to_string(events) + " events, seen " +
                    std::to_string(first_seen_millis) + ".." + std::to_string(last_seen_millis) +
                    " ms), its manifest says " + std::to_string(m.first_revision) + ".." + std::to_string(m.revision) +
                    " (" + std::to_string(m.total_keys) + " events, seen " + std::to_string(m.first_seen_millis) + ".." +
                    std::to_string(m.last_seen_millis) + " ms)");
  }
};

// Appends the chain's revisions up to the point to the "key" bucket.
class RevisionAppender {
 public:
  RevisionAppender(const BackupConfig& config, const Chain& chain, const RestorePoint& point,
                   const bolt::Database& full, restore::Entries& added_leases, const RevisionObserver& observe)
      : config_(config), chain_(chain), point_(point), full_(full), added_leases_(added_leases), observe_(observe),
        last_revision_(chain.full.manifest.revision), seen_millis_(chain.full.manifest.created * 1000) {}

  Status Append(bolt::Writer& writer) {
    auto destination = OpenDestination(config_.destinations[chain_.full.destination_index]);
    if (!destination.ok()) return destination.status();
    for (const Manifest& segment : chain_.segments) {
      if (done_ || Past(segment.first_revision, segment.first_seen_millis)) break;
      SegmentFigures held;
      DeltaSegmentReader reader([&](DeltaRevision&& revision) {
        held.Count(revision);
        return Add(writer, segment, revision);
      });
      auto archive = ArchiveReader(reader, config_.key);
      if (!archive.ok()) return archive.status();
      // The whole object is read and hashed even when the point falls
      // inside it: a damaged segment is never half trusted.
      HashingSink hashing(archive->get());
      KETCD_RETURN_IF_ERROR((*destination)->Read(segment.object, hashing).WithContext(segment.name));
      if (hashing.hex() != segment.sha256) {
        return DataLoss(segment.name + ": object sha256 " + hashing.hex() + " differs from the manifest's");
      }
      KETCD_RETURN_IF_ERROR(held.Match(segment));
      ++segments_;
    }
    if (point_.kind == RestorePoint::Kind::kRevision && last_revision_ != point_.revision) {
      return DataLoss(chain_.full.manifest.name + ": the segments end at revision " + std::to_string(last_revision_) +
                      ", before " + std::to_string(point_.revision));
    }
    return Status::Ok();
  }

  int64_t last_revision() const { return last_revision_; }
  int64_t seen_millis() const { return seen_millis_; }
  size_t segments() const { return segments_; }

 private:
  bool Past(int64_t revision, int64_t seen_millis) const {
    return (point_.kind == RestorePoint::Kind::kRevision && revision > point_.revision) ||
           (point_.kind == RestorePoint::Kind::kTime && seen_millis > point_.unix_millis);
  }

  Status Add(bolt::Writer& writer, const Manifest& segment, const DeltaRevision& revision) {
    if (done_ || Past(revision.revision, revision.unix_millis)) {
      done_ = true;
      return Status::Ok();
    }
    if (revision.revision != last_revision_ + 1) {
      return DataLoss(segment.name + ": revision " + std::to_string(revision.revision) + " does not follow " +
                      std::to_string(last_revision_));
    }
    for (size_t sub = 0; sub < revision.events.size(); ++sub) {
      const mvccpb::Event& event = revision.events[sub];
      const bool deletion = event.type() == mvccpb::Event::DELETE;
      const std::string key = snapshot::RevisionKeyBytes({revision.revision, static_cast<int64_t>(sub)}, deletion);
      if (deletion) {
        // etcd stores a tombstone's KeyValue with the key alone.
        mvccpb::KeyValue tombstone;
        tombstone.set_key(event.kv().key());
        KETCD_RETURN_IF_ERROR(writer.Put(key, tombstone.SerializeAsString()));
        continue;
      }
      KETCD_RETURN_IF_ERROR(writer.Put(key, event.kv().SerializeAsString()));
      if (const int64_t lease = event.kv().lease(); lease != 0) KETCD_RETURN_IF_ERROR(NoteLease(lease));
    }
    last_revision_ = revision.revision;
    seen_millis_ = revision.unix_millis;
    return observe_ ? observe_(revision) : Status::Ok();
  }

  Status NoteLease(int64_t lease) {
    const std::string id = restore::BigEndian64(static_cast<uint64_t>(lease));
    if (added_leases_.count(id)) return Status::Ok();
    auto held = bolt::ValueIn(full_, snapshot::kLeaseBucket, id);
    if (!held.ok()) return held.status();
    if (held->empty()) added_leases_[id] = snapshot::LeaseRecord(lease, kAddedLeaseTtlSeconds);
    return Status::Ok();
  }

  const BackupConfig& config_;
  const Chain& chain_;
  const RestorePoint& point_;
  const bolt::Database& full_;
  restore::Entries& added_leases_;
  const RevisionObserver& observe_;
  int64_t last_revision_, seen_millis_;
  size_t segments_ = 0;
  bool done_ = false;
};

// The built snapshot with etcd's sha256 trailer, as `path` (appears only
// complete). Its mapped pages are dropped as they are written, so the
// copy does not hold the file in memory.
Status WriteWithTrailer(const snapshot::SnapshotFile& built, const std::string& path) {
  auto file = DurableFile::Create(path, 0600);
  if (!file.ok()) return file.status();
  Sha256 sha256;
  constexpr size_t kChunk = 8 << 20;
  for (size_t offset = 0; offset < built.covered.size(); offset += kChunk) {
    const std::string_view chunk = built.covered.substr(offset, kChunk);
    sha256.Update(chunk);
    KETCD_RETURN_IF_ERROR(file->Write(chunk));
    built.db.Touched(chunk.size());
  }
  KETCD_RETURN_IF_ERROR(file->Write(sha256.Finish()));
  return file->Commit();
}

}  // namespace

std::string Describe(const RestorePoint& point) {
  switch (point.kind) {
    case RestorePoint::Kind::kLatest:
      return "the latest revision";
    case RestorePoint::Kind::kRevision:
      return "revision " + std::to_string(point.revision);
    case RestorePoint::Kind::kTime:
      return Rfc3339MillisUtc(point.unix_millis);
  }
  return "";
}

Result<int64_t> ParseRfc3339Millis(const std::string& text) {
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6 ||
      consumed != 19) {
    return InvalidArgument(text + ": not an RFC 3339 time (2026-12-03T14:32:05Z)");
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return InvalidArgument(text + ": no such date or time");
  std::string_view rest = std::string_view(text).substr(19);
  int64_t millis = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits++ < 3) millis = millis * 10 + (rest.front() - '0');
      rest.remove_prefix(1);
    }
    if (digits == 0) return InvalidArgument(text + ": a '.' without digits");
    for (; digits < 3; ++digits) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (rest == "Z" || rest == "z") {
    rest = {};
  } else if (rest.empty()) {
    return InvalidArgument(text + ": give the zone: Z or +hh:mm");
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int offset_hour, offset_minute;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &offset_hour, &offset_minute) != 2) {
      return InvalidArgument(text + ": a bad UTC offset");
    }
    offset_minutes = (rest[0] == '-' ? -1 : 1) * (offset_hour * 60 + offset_minute);
    rest = {};
  }
  if (!rest.empty()) return InvalidArgument(text + ": give the zone: Z or +hh:mm");
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

Result<Chain> ChainFor(const BackupConfig& config, const RestorePoint& point) {
  auto listed = ListBackups(config);
  if (!listed.ok()) return listed.status();
  const std::vector<Chain> chains = GroupChains(*listed);
  const Chain* chain = Choose(chains, point);
  if (chain == nullptr) return NotFound(Describe(point) + " is in no backup's window (" + Windows(chains) + ")");
  return *chain;
}

Result<std::unique_ptr<ChainAtPoint>> ChainAtPoint::Fetch(const BackupConfig& config, const Chain& chain,
                                                          const RestorePoint& point,
                                                          const std::function<void(const std::string&)>& say,
                                                          RevisionObserver observe) {
  std::unique_ptr<ChainAtPoint> fetched(new ChainAtPoint(config, chain, point, std::move(observe)));
  if (fetched->scratch_.path().empty()) return IoError("cannot create a private directory for the full backup");
  const Manifest& full = chain.full.manifest;
  say("fetching " + full.name + " (revision " + std::to_string(full.revision) + ") from " + chain.full.destination);
  auto manifest = FetchBackup(config, full.name, fetched->full_path(), chain.full.destination_index);
  if (!manifest.ok()) return manifest.status();
  auto opened = snapshot::OpenSnapshot(fetched->full_path());
  if (!opened.ok()) return opened.status();
  fetched->full_.emplace(std::move(*opened));
  return fetched;
}

ChainAtPoint::ChainAtPoint(const BackupConfig& config, const Chain& chain, const RestorePoint& point,
                           RevisionObserver observe)
    : config_(config), chain_(chain), point_(point), observe_(std::move(observe)), scratch_(config.work_dir) {}

std::string ChainAtPoint::full_path() const { return scratch_.path() + "/full.db"; }

Result<int64_t> ChainAtPoint::Append(bolt::Writer& writer, restore::Entries& leases) {
  RevisionAppender appender(config_, chain_, point_, full_->db, leases, observe_);
  KETCD_RETURN_IF_ERROR(appender.Append(writer));
  applied_.full = chain_.full.manifest;
  applied_.destination = chain_.full.destination;
  applied_.revision = appender.last_revision();
  applied_.seen_millis = appender.seen_millis();
  applied_.segments = appender.segments();
  applied_.added_leases.clear();
  for (const auto& [id, value] : leases) {
    applied_.added_leases.push_back(static_cast<int64_t>(snapshot::ReadBigEndian64(id)));
  }
  return applied_.revision;
}

std::string ChainAtPoint::Summary() const {
  return "applied " + std::to_string(applied_.revision - applied_.full.revision) + " revision(s) from " +
         std::to_string(applied_.segments) + " segment(s): revision " + std::to_string(applied_.revision) +
         ", seen at " + Rfc3339MillisUtc(applied_.seen_millis);
}

Result<PointInTime> BuildChainDb(const BackupConfig& config, const Chain& chain, const RestorePoint& point,
                                 const std::string& db_path, const std::function<void(const std::string&)>& say,
                                 const RevisionObserver& observe) {
  auto fetched = ChainAtPoint::Fetch(config, chain, point, say, observe);
  if (!fetched.ok()) return fetched.status();
  ChainAtPoint& at_point = **fetched;
  restore::BackendEdits edits;
  restore::Entries& added_leases = edits.merged["lease"];  // filled while the revisions are written
  edits.appended[std::string(snapshot::kKeyBucket)] = [&](bolt::Writer& writer) {
    return at_point.Append(writer, added_leases).status();
  };
  KETCD_RETURN_IF_ERROR(restore::CopyBackend(at_point.full_db(), db_path, edits));
  say(at_point.Summary());
  return at_point.applied();
}

Result<PointInTime> WriteChainSnapshot(const BackupConfig& config, const Chain& chain, const RestorePoint& point,
                                       const std::string& path, const std::function<void(const std::string&)>& say,
                                       const RevisionObserver& observe) {
  // The file built holds every Secret too: private, removed with the dir.
  PrivateDir scratch(config.work_dir);
  if (scratch.path().empty()) return IoError("cannot create a private directory");
  const std::string built_path = scratch.path() + "/at-point.db";
  auto built = BuildChainDb(config, chain, point, built_path, say, observe);
  if (!built.ok()) return built.status();
  auto written = snapshot::OpenSnapshot(built_path);
  if (!written.ok()) return written.status();
  auto report = snapshot::Verify(*written);
  if (!report.ok()) return report.status();
  if (!report->problems.empty()) return DataLoss("the snapshot built at " + Describe(point) + ": " + report->problems.front());
  KETCD_RETURN_IF_ERROR(WriteWithTrailer(*written, path));
  return built;
}

Result<PointInTime> WriteSnapshotAt(const BackupConfig& config, const RestorePoint& point, const std::string& path,
                                    const std::function<void(const std::string&)>& say) {
  auto chain = ChainFor(config, point);
  if (!chain.ok()) return chain.status();
  return WriteChainSnapshot(config, *chain, point, path, say);
}

}  // namespace ketcd::backup
