#include "backup/compact_chain.h"

#include <filesystem>

#include "backup/chain_check.h"
#include "snapshot/snapshot_file.h"
#include "snapshot/status.h"
#include "util/private_dir.h"

namespace ketcd::backup {

Result<Chain> ChainToCompact(const BackupConfig& config, const std::string& name) {
  auto listed = ListBackups(config);
  if (!listed.ok()) return listed.status();
  const std::vector<Chain> chains = GroupChains(*listed);
  const Chain* chosen = nullptr;
  // Chains come newest full backup first; among one backup's destinations,
  // the chain reaching furthest.
  for (const Chain& chain : chains) {
    if (name.empty() ? chain.segments.empty() : chain.full.manifest.name != name) continue;
    if (chosen != nullptr && chosen->full.manifest.name != chain.full.manifest.name) break;
    if (chosen == nullptr || chain.last_revision > chosen->last_revision) chosen = &chain;
  }
  if (chosen == nullptr) {
    return NotFound(name.empty() ? "no full backup has delta segments to merge" : "no full backup named " + name);
  }
  return *chosen;
}

Result<BackupOutcome> CompactChain(const BackupConfig& config, const Chain& chain, int64_t revision,
                                   const std::function<void(const std::string&)>& say) {
  const Manifest& full = chain.full.manifest;
  if (revision == 0) revision = chain.last_revision;
  if (revision <= full.revision || revision > chain.last_revision) {
    return InvalidArgument("revision " + std::to_string(revision) + " is not one " + full.name +
                           "'s segments add (they hold " + std::to_string(full.revision + 1) + ".." +
                           std::to_string(chain.last_revision) + ")");
  }
  // Merged once is enough: a full backup of this cluster at that revision
  // restores it already.
  auto listed = ListBackups(config);
  if (!listed.ok()) return listed.status();
  for (const ListedBackup& b : *listed) {
    if (b.manifest.kind == BackupKind::kSnapshot && b.manifest.revision == revision &&
        b.manifest.cluster_id == full.cluster_id) {
      return InvalidArgument("full backup " + b.manifest.name + " holds revision " + std::to_string(revision) +
                             " already (" + b.destination + ")");
    }
  }
  PrivateDir scratch(config.work_dir);
  if (scratch.path().empty()) return IoError("cannot create a private directory");
  const std::string staged = scratch.path() + "/merged.db";
  auto checked = WriteCheckedSnapshot(config, chain, revision, staged, say);
  if (!checked.ok()) return checked.status();
  auto file = snapshot::OpenSnapshot(staged);
  if (!file.ok()) return file.status();
  auto figures = snapshot::ComputeStatus(file->db);
  if (!figures.ok()) return figures.status();
  if (figures->revision != revision) {
    return DataLoss("the merged snapshot ends at revision " + std::to_string(figures->revision) + ", not " +
                    std::to_string(revision));
  }

  Manifest m;
  m.created = checked->point.seen_millis / 1000;
  m.revision = revision;
  m.total_keys = figures->total_keys;
  std::error_code error;
  m.snapshot_bytes = static_cast<int64_t>(std::filesystem::file_size(staged, error));
  if (error) return IoError(staged + ": " + error.message());
  m.etcd_version = full.etcd_version;
  m.cluster_id = full.cluster_id;
  return StoreSnapshotFile(config, m, staged, say);
}

}  // namespace ketcd::backup
