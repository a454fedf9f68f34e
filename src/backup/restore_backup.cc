#include "backup/restore_backup.h"

#include "backup/catalog.h"
#include "snapshot/backend_layout.h"
#include "util/private_dir.h"

namespace ketcd::backup {
namespace {

// Restores into `scratch` (a private dir the caller removes).
Result<RestoredBackup> RestoreThrough(const PrivateDir& scratch, const BackupConfig& config, const std::string& name,
                                      restore::RestoreOptions options, const std::string& all_members_dir) {
  if (scratch.path().empty()) return IoError("cannot create a temporary directory");
  options.snapshot_path = scratch.path() + "/snapshot.db";
  auto manifest = FetchBackup(config, name, options.snapshot_path);
  if (!manifest.ok()) return manifest.status();
  options.snapshot_verified = true;  // as it arrived
  auto restored = all_members_dir.empty() ? restore::RestoreMember(options)
                                          : restore::RestoreAllMembers(options, all_members_dir);
  if (!restored.ok()) return restored.status().WithContext(manifest->name + ": restore");
  return RestoredBackup{std::move(*manifest), std::move(*restored)};
}

}  // namespace

Result<RestoredBackup> RestoreBackup(const BackupConfig& config, const std::string& name,
                                     restore::RestoreOptions options, const std::string& all_members_dir) {
  PrivateDir scratch;
  return RestoreThrough(scratch, config, name, std::move(options), all_members_dir);
}

Result<RestoredPoint> RestoreBackupAt(const BackupConfig& config, const RestorePoint& point,
                                      restore::RestoreOptions options, const std::string& all_members_dir,
                                      const std::function<void(const std::string&)>& say) {
  auto chain = ChainFor(config, point);
  if (!chain.ok()) return chain.status();
  auto fetched = ChainAtPoint::Fetch(config, *chain, point, say);
  if (!fetched.ok()) return fetched.status();
  ChainAtPoint& at_point = **fetched;
  // The full backup was verified as it arrived, and the segments' revisions
  // are written into the data dirs' backend as it is copied: the keyspace
  // is read and written once.
  options.snapshot_path = at_point.full_path();
  options.snapshot_verified = true;
  options.append_revisions = [&](bolt::Writer& writer, restore::BackendEdits& later) {
    return at_point.Append(writer, later.merged[std::string(snapshot::kLeaseBucket)]);
  };
  if (point.kind != RestorePoint::Kind::kLatest && options.bump_revision == 0) {
    options.bump_revision = kPointInTimeBump;
    options.mark_compacted = true;
  }
  auto restored = all_members_dir.empty() ? restore::RestoreMember(options)
                                          : restore::RestoreAllMembers(options, all_members_dir);
  if (!restored.ok()) return restored.status().WithContext(Describe(point) + ": restore");
  say(at_point.Summary());
  return RestoredPoint{at_point.applied(), std::move(*restored)};
}

Result<Manifest> VerifyBackupRestores(const BackupConfig& config, const std::string& name) {
  PrivateDir scratch;
  restore::RestoreOptions options;
  options.data_dir = scratch.path() + "/restored.etcd";
  auto restored = RestoreThrough(scratch, config, name, std::move(options), "");
  if (!restored.ok()) return restored.status();
  return std::move(restored->manifest);
}

}  // namespace ketcd::backup
