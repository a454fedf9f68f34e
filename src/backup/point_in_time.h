// Point-in-time restore: etcd's state at a revision or moment a chain
// covers (backup/catalog.h's Chain), as a snapshot file that `snapshot
// restore` takes. The chain's full backup is copied with the revisions of
// its segments up to that point appended to the "key" bucket, as etcd
// itself would have stored them (revision key main_sub, a 't' for a
// deletion, the KeyValue the watch reported), offline with bolt::Writer:
// no etcd replays anything.
//
// Leases: a lease granted after the full backup is not in it (a watch
// reports keys, not leases). A key attached to such a lease keeps the lease
// ID, and the lease is added with kAddedLeaseTtlSeconds, so the key expires
// after the restored cluster starts as it would have (Kubernetes attaches
// Events to one-hour leases) instead of living forever under a lease etcd
// does not know. Leases the full backup holds stay as they are.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backup/backup_config.h"
#include "backup/catalog.h"
#include "backup/delta_segment.h"
#include "backup/manifest.h"
#include "bolt/writer.h"
#include "restore/backend_copy.h"
#include "snapshot/snapshot_file.h"
#include "util/private_dir.h"

namespace ketcd::backup {

inline constexpr int64_t kAddedLeaseTtlSeconds = 3600;

struct RestorePoint {
  enum class Kind { kLatest, kRevision, kTime };
  Kind kind = Kind::kLatest;
  int64_t revision = 0;     // kRevision
  int64_t unix_millis = 0;  // kTime: the newest revision seen at or before it
};

// "latest", "revision 1234", "2026-12-03T14:32:05.250Z" for messages.
std::string Describe(const RestorePoint& point);

// An RFC 3339 time in UTC ("2026-12-03T14:32:05Z", fractions of a second
// allowed, "+00:00" for Z) to Unix ms.
Result<int64_t> ParseRfc3339Millis(const std::string& text);

struct PointInTime {
  Manifest full;             // the chain's full backup
  std::string destination;   // where the chain was read
  int64_t revision = 0;      // the snapshot's revision
  int64_t seen_millis = 0;   // when the watch saw it (the full backup's: its creation)
  size_t segments = 0;       // segments read
  std::vector<int64_t> added_leases;
};

// Writes the snapshot file `path` (which must not exist; mode 0600, with
// etcd's sha256 trailer) for `point`, from the chain that covers it with
// the fewest revisions to apply; kNotFound naming every chain's window when
// none does. Scratch files go to config.work_dir.
Result<PointInTime> WriteSnapshotAt(const BackupConfig& config, const RestorePoint& point, const std::string& path,
                                    const std::function<void(const std::string&)>& say);

// The chain that covers `point` with the fewest revisions to apply (or,
// for the latest, reaches furthest); kNotFound naming every chain's window.
Result<Chain> ChainFor(const BackupConfig& config, const RestorePoint& point);

// The same from `chain` (its full backup read from the chain's own
// destination). Every segment read is checked whole: its sha256 against
// its manifest, and the revisions, events and times it holds against the
// manifest's figures. `observe` (when set) sees each revision written, in
// order; its error stops the build.
using RevisionObserver = std::function<Status(const DeltaRevision&)>;
Result<PointInTime> WriteChainSnapshot(const BackupConfig& config, const Chain& chain, const RestorePoint& point,
                                       const std::string& path, const std::function<void(const std::string&)>& say,
                                       const RevisionObserver& observe = {});

// A chain's full backup fetched into a private directory (removed with
// this) and verified, and its segments' revisions up to a point, appended
// by whoever copies the full backup: BuildChainDb into a bare file, a
// restore straight into data dirs (backup/restore_backup.h), so the
// keyspace is written once.
class ChainAtPoint {
 public:
  static Result<std::unique_ptr<ChainAtPoint>> Fetch(const BackupConfig& config, const Chain& chain,
                                                     const RestorePoint& point,
                                                     const std::function<void(const std::string&)>& say,
                                                     RevisionObserver observe = {});

  // The verified full backup (a snapshot file with its trailer).
  std::string full_path() const;
  const bolt::Database& full_db() const { return full_->db; }

  // Writes the revisions to `writer`'s "key" bucket (above every key of the
  // full backup), adding the leases they need and the full backup lacks to
  // `leases`; the newest revision written.
  Result<int64_t> Append(bolt::Writer& writer, restore::Entries& leases);
  // After Append: what was applied, and a line saying so.
  const PointInTime& applied() const { return applied_; }
  std::string Summary() const;

 private:
  ChainAtPoint(const BackupConfig& config, const Chain& chain, const RestorePoint& point, RevisionObserver observe);

  const BackupConfig& config_;
  const Chain chain_;
  const RestorePoint point_;
  const RevisionObserver observe_;
  PrivateDir scratch_;  // the full backup holds every Secret
  std::optional<snapshot::SnapshotFile> full_;
  PointInTime applied_;
};

// The bbolt file alone, `db_path` (mode 0600; no sha256 trailer, not
// verified yet: for a caller that verifies it next, as restore does).
Result<PointInTime> BuildChainDb(const BackupConfig& config, const Chain& chain, const RestorePoint& point,
                                 const std::string& db_path, const std::function<void(const std::string&)>& say,
                                 const RevisionObserver& observe = {});

}  // namespace ketcd::backup
