#include "backup/catalog.h"

#include <algorithm>
#include <cstdio>

#include "backup/archive_format.h"
#include "snapshot/verify.h"

namespace ketcd::backup {

namespace {

// The manifests in one destination: the complete backups it holds.
Result<std::vector<Manifest>> ReadManifests(Destination& destination) {
  auto names = destination.List();
  if (!names.ok()) return names.status();
  std::vector<Manifest> manifests;
  for (const std::string& name : *names) {
    if (!name.ends_with(kManifestSuffix)) continue;
    StringSink text;
    KETCD_RETURN_IF_ERROR(destination.Read(name, text).WithContext(name));
    auto manifest = ParseManifest(text.text);
    if (!manifest.ok()) return manifest.status().WithContext(name);
    manifests.push_back(*manifest);
  }
  return manifests;
}

}  // namespace

Result<std::vector<std::string>> Prune(Destination& destination, const RetentionPolicy& policy) {
  if (policy.keeps_everything()) return std::vector<std::string>{};
  // An unreadable manifest stops the prune: nothing is removed on a guess.
  auto read = ReadManifests(destination);
  if (!read.ok()) return read.status();
  const std::vector<Manifest>& manifests = *read;
  std::vector<int64_t> created;
  for (const Manifest& m : manifests) created.push_back(m.created);
  const std::set<size_t> keep = BackupsToKeep(created, policy);
  std::vector<std::string> removed;
  for (size_t i = 0; i < manifests.size(); ++i) {
    if (keep.count(i)) continue;
    // Manifest first: a half-removed backup is never listed.
    KETCD_RETURN_IF_ERROR(destination.Remove(manifests[i].name + kManifestSuffix));
    KETCD_RETURN_IF_ERROR(destination.Remove(manifests[i].object));
    removed.push_back(manifests[i].name);
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
    for (const Manifest& manifest : *manifests) listed.push_back({(*destination)->Describe(), index, manifest});
  }
  std::stable_sort(listed.begin(), listed.end(),
                   [](const ListedBackup& a, const ListedBackup& b) { return a.manifest.created > b.manifest.created; });
  return listed;
}

Result<Manifest> FetchBackup(const BackupConfig& config, const std::string& name, const std::string& snapshot_path) {
  auto listed = ListBackups(config);
  if (!listed.ok()) return listed.status();
  const ListedBackup* chosen = nullptr;
  for (const ListedBackup& backup : *listed) {
    if (name.empty() || backup.manifest.name == name) {
      chosen = &backup;
      break;
    }
  }
  if (chosen == nullptr) return NotFound(name.empty() ? "no backup found" : "no backup named " + name);
  auto destination = OpenDestination(config.destinations[chosen->destination_index]);
  if (!destination.ok()) return destination.status();
  FileWriter file(snapshot_path);
  auto archive = ArchiveReader(file, config.key);
  if (!archive.ok()) return archive.status();
  HashingSink hashing(archive->get());
  Status read = (*destination)->Read(chosen->manifest.object, hashing);
  if (!read.ok()) {
    std::remove(snapshot_path.c_str());
    return read.WithContext(chosen->destination + ": " + chosen->manifest.name);
  }
  if (hashing.hex() != chosen->manifest.sha256) {
    std::remove(snapshot_path.c_str());
    return DataLoss(chosen->manifest.name + ": object sha256 " + hashing.hex() + " differs from the manifest's " +
                    chosen->manifest.sha256);
  }
  auto snapshot = snapshot::OpenSnapshot(snapshot_path);
  if (!snapshot.ok()) return snapshot.status();
  auto report = snapshot::Verify(*snapshot);
  if (!report.ok()) return report.status();
  if (!report->problems.empty()) return DataLoss(chosen->manifest.name + ": " + report->problems.front());
  return chosen->manifest;
}

}  // namespace ketcd::backup
