#include "datadir/recover.h"

#include "datadir/unapplied_entries.h"
#include "snapshot/backend_layout.h"

namespace ketcd::datadir {

Result<RecoverResult> Recover(const RecoverRequest& request) {
  if (request.from.empty()) return InvalidArgument("give the survivors' data dirs (--from DIR)");
  std::vector<DataDirReport> reports;
  for (const std::string& dir : request.from) {
    auto report = InspectDataDir(dir);
    if (!report.ok()) return report.status();
    if (report->in_use) {
      return InvalidArgument(dir + ": a running etcd holds it (the db's file lock): stop that etcd first");
    }
    reports.push_back(std::move(*report));
  }
  auto freshest = RecommendFreshest(reports);
  if (!freshest.ok()) return freshest.status();
  RecoverResult result;
  result.source = reports[freshest->index];
  result.why = freshest->why;
  const std::string& dir = result.source.dir;

  auto unapplied = ReadUnappliedEntries(dir + "/member/wal", result.source.consistent_index, request.committed_only);
  if (!unapplied.ok()) return unapplied.status().WithContext(dir);
  result.commit_index = unapplied->commit_index;
  result.past_commit = unapplied->past_commit;

  const std::string db_path = dir + "/member/snap/db";
  auto keyspace = snapshot::OfflineKeyspace::Open(db_path);
  if (!keyspace.ok()) return keyspace.status().WithContext(dir);
  auto applier = EntryApplier::Create(**keyspace);
  if (!applier.ok()) return applier.status().WithContext(dir);
  KETCD_RETURN_IF_ERROR((*applier)->ApplyAll(unapplied->entries).WithContext(dir));
  const EntryApplier& applied = **applier;
  result.counts = applied.counts();
  result.db_revision = (*keyspace)->current_revision();
  result.revision = applied.revision();

  restore::RestoreOptions options = request.restore;
  options.snapshot_path = db_path;
  options.skip_hash_check = true;   // a member's db has no trailer
  options.snapshot_verified = true;  // inspected above: every page
  options.append_revisions = [&](bolt::Writer& writer, restore::BackendEdits& later) -> Result<int64_t> {
    for (const AppliedChange& change : applied.changes()) {
      KETCD_RETURN_IF_ERROR(writer.Put(snapshot::RevisionKeyBytes(change.revision, change.tombstone), change.stored));
    }
    const std::string lease_bucket(snapshot::kLeaseBucket);
    for (const auto& [id, record] : applied.granted_leases()) later.merged[lease_bucket][id] = record;
    for (const std::string& id : applied.revoked_leases()) later.removed[lease_bucket].insert(id);
    return applied.changes().empty() ? 0 : applied.revision();
  };
  auto restored = request.all_members_dir.empty() ? restore::RestoreMember(options)
                                                  : restore::RestoreAllMembers(options, request.all_members_dir);
  if (!restored.ok()) return restored.status().WithContext(dir);
  result.restored = std::move(*restored);
  return result;
}

}  // namespace ketcd::datadir
