#include "backup/catalog.h"

#include <algorithm>
#include <map>
#include <set>

#include "backup/archive_format.h"
#include "snapshot/verify.h"

namespace ketcd::backup {

namespace {

// What one destination holds: its names as List() gave them, and the
// manifests among them (the complete backups).
struct StoredBackups {
  std::set<std::string> names;
  std::vector<Manifest> manifests;
};

// Newest first. Runs within one second share a time and the later ones
// have a suffix ("-2" ... "-99", backup_job.cc): a longer name, or a larger one.
bool NewerFirst(const Manifest& a, const Manifest& b) {
  if (a.created != b.created) return a.created > b.created;
  if (a.name.size() != b.name.size()) return a.name.size() > b.name.size();
  return a.name > b.name;
}

// A manifest counts only under its own name (NAME.manifest.json naming NAME):
// one placed under another name cannot speak for a backup it is not.
// Newest first.
Result<StoredBackups> ReadManifests(Destination& destination) {
  auto names = destination.List();
  if (!names.ok()) return names.status();
  StoredBackups stored;
  stored.names.insert(names->begin(), names->end());
  for (const std::string& name : *names) {
    if (!name.ends_with(kManifestSuffix)) continue;
    StringSink text;
    KETCD_RETURN_IF_ERROR(destination.Read(name, text).WithContext(name));
    auto manifest = ParseManifest(text.text);
    if (!manifest.ok()) return manifest.status().WithContext(name);
    if (manifest->name + kManifestSuffix != name) {
      return DataLoss(name + ": the manifest names another backup (" + manifest->name + ")");
    }
    stored.manifests.push_back(*manifest);
  }
  std::sort(stored.manifests.begin(), stored.manifests.end(), NewerFirst);
  return stored;
}

}  // namespace

Result<std::vector<std::string>> Prune(Destination& destination, const RetentionPolicy& policy) {
  if (policy.keeps_everything()) return std::vector<std::string>{};
  // An unreadable manifest stops the prune: nothing is removed on a guess.
  auto read = ReadManifests(destination);
  if (!read.ok()) return read.status();
  // The policy counts full backups; a delta segment lives as long as the
  // full backup its chain extends (it restores nothing without it).
  std::vector<const Manifest*> full;
  std::vector<int64_t> created;
  for (const Manifest& m : read->manifests) {
    if (m.kind != BackupKind::kSnapshot) continue;
    full.push_back(&m);
    created.push_back(m.created);
  }
  std::set<std::string> kept_chains;
  for (size_t index : BackupsToKeep(created, policy)) kept_chains.insert(full[index]->name);
  std::vector<std::string> removed;
  auto remove = [&](const Manifest& m) -> Status {
    // Manifest first: a half-removed backup is never listed.
    // Only names the store listed are removed (a manifest's object name is
    // checked by ParseManifest to be its own, one path component).
    KETCD_RETURN_IF_ERROR(destination.Remove(m.name + kManifestSuffix));
    if (read->names.count(m.object)) KETCD_RETURN_IF_ERROR(destination.Remove(m.object));
    removed.push_back(m.name);
    return Status::Ok();
  };
  // Segments before their full backup: a prune cut short leaves a full
  // backup with fewer segments, never segments without their full backup.
  for (const Manifest& m : read->manifests) {
    if (m.kind == BackupKind::kDelta && !kept_chains.count(m.chain)) KETCD_RETURN_IF_ERROR(remove(m));
  }
  for (const Manifest* m : full) {
    if (!kept_chains.count(m->name)) KETCD_RETURN_IF_ERROR(remove(*m));
  }
  return removed;
}

Result<std::vector<ListedBackup>> ListBackups(const BackupConfig& config) {
  std::vector<ListedBackup> listed;
  for (size_t index = 0; index < config.destinations.size(); ++index) {
    auto destination = OpenDestination(config.destinations[index]);
    if (!destination.ok()) return destination.status();
    auto manifests = ReadManifests(**destination);
    if (!manifests.ok()) return manifests.status().WithContext((*destination)->Describe());
    for (const Manifest& manifest : manifests->manifests) listed.push_back({(*destination)->Describe(), index, manifest});
  }
  std::stable_sort(listed.begin(), listed.end(),
                   [](const ListedBackup& a, const ListedBackup& b) { return NewerFirst(a.manifest, b.manifest); });
  return listed;
}

std::vector<Chain> GroupChains(const std::vector<ListedBackup>& listed) {
  // Segments by (destination, the piece they continue).
  std::map<std::pair<size_t, std::string>, std::vector<const Manifest*>> following;
  std::map<std::pair<size_t, std::string>, size_t> in_chain;
  for (const ListedBackup& b : listed) {
    if (b.manifest.kind != BackupKind::kDelta) continue;
    following[{b.destination_index, b.manifest.previous}].push_back(&b.manifest);
    ++in_chain[{b.destination_index, b.manifest.chain}];
  }
  std::vector<Chain> chains;
  for (const ListedBackup& b : listed) {
    if (b.manifest.kind != BackupKind::kSnapshot) continue;
    Chain& chain = chains.emplace_back();
    chain.full = b;
    chain.last_revision = b.manifest.revision;
    chain.last_seen_millis = b.manifest.created * 1000;
    std::string at = b.manifest.name;
    while (true) {
      auto next = following.find({b.destination_index, at});
      if (next == following.end()) break;
      const Manifest* found = nullptr;
      for (const Manifest* segment : next->second) {
        if (segment->chain == b.manifest.name && segment->first_revision == chain.last_revision + 1) found = segment;
      }
      if (found == nullptr) break;
      chain.segments.push_back(*found);
      chain.last_revision = found->revision;
      chain.last_seen_millis = found->last_seen_millis;
      chain.end = found->chain_end;
      at = found->name;
      if (!found->chain_end.empty()) break;
    }
    chain.detached = in_chain[{b.destination_index, b.manifest.name}] - chain.segments.size();
  }
  return chains;
}

Result<Manifest> FetchBackup(const BackupConfig& config, const std::string& name, const std::string& snapshot_path,
                             std::optional<size_t> destination_index) {
  auto listed = ListBackups(config);
  if (!listed.ok()) return listed.status();
  const ListedBackup* chosen = nullptr;
  for (const ListedBackup& backup : *listed) {
    if (destination_index && backup.destination_index != *destination_index) continue;
    // A delta segment is no snapshot: the newest is a full backup, and a
    // segment named is refused below.
    if (name.empty() ? backup.manifest.kind == BackupKind::kSnapshot : backup.manifest.name == name) {
      chosen = &backup;
      break;
    }
  }
  if (chosen == nullptr) return NotFound(name.empty() ? "no backup found" : "no backup named " + name);
  if (chosen->manifest.kind != BackupKind::kSnapshot) {
    return InvalidArgument(name + " is a delta segment of " + chosen->manifest.chain + ", not a snapshot");
  }
  // The object's own header is checked too (ArchiveReader): the manifest
  // must not talk a configured key out of decrypting.
  if (!config.key.empty() && !chosen->manifest.encrypted) {
    return DataLoss(chosen->manifest.name + ": the manifest says unencrypted, but a key is configured: refused");
  }
  if (config.key.empty() && chosen->manifest.encrypted) {
    return InvalidArgument(chosen->manifest.name + " is encrypted: give the key (encryption.key_file)");
  }
  auto destination = OpenDestination(config.destinations[chosen->destination_index]);
  if (!destination.ok()) return destination.status();
  // Every Secret of the cluster is in this file: 0600, and it appears under
  // its name only once verified (any early return removes the part).
  auto file = DurableFile::Create(snapshot_path, 0600);
  if (!file.ok()) return file.status();
  DurableFileSink sink(*file);
  auto archive = ArchiveReader(sink, config.key);
  if (!archive.ok()) return archive.status();
  HashingSink hashing(archive->get());
  Status read = (*destination)->Read(chosen->manifest.object, hashing);
  if (!read.ok()) return read.WithContext(chosen->destination + ": " + chosen->manifest.name);
  if (hashing.hex() != chosen->manifest.sha256) {
    return DataLoss(chosen->manifest.name + ": object sha256 " + hashing.hex() + " differs from the manifest's " +
                    chosen->manifest.sha256);
  }
  {
    auto snapshot = snapshot::OpenSnapshot(file->part_path());
    if (!snapshot.ok()) return snapshot.status();
    auto report = snapshot::Verify(*snapshot);
    if (!report.ok()) return report.status();
    if (!report->problems.empty()) return DataLoss(chosen->manifest.name + ": " + report->problems.front());
  }
  KETCD_RETURN_IF_ERROR(file->Commit());
  return chosen->manifest;
}

}  // namespace ketcd::backup
