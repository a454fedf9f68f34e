#include "backup/backup_job.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <thread>

#include "backup/async_sink.h"
#include "backup/catalog.h"
#include "backup/object_upload.h"
#include "snapshot/save.h"
#include "snapshot/status.h"
#include "snapshot/verify.h"
#include "util/duration.h"
#include "util/hex_id.h"
#include "util/private_dir.h"
#include "util/utc_time.h"

namespace ketcd::backup {
namespace {

// Bytes of snapshot waiting between the etcd stream and the uploads.
constexpr size_t kUploadQueueBytes = 16 << 20;

// The staged snapshot, checked before any backup is listed: structure and
// every revision; its figures go into the manifest. Its sha256 trailer was
// checked on the stream it was written from, which is also what the first
// uploads carried, so it is not hashed again here (see StagedIntact).
Status VerifyStaged(const std::string& staged, Manifest& m) {
  auto file = snapshot::OpenSnapshot(staged);
  if (!file.ok()) return file.status();
  file->trailer.reset();
  auto report = snapshot::Verify(*file);
  if (!report.ok()) return report.status();
  if (!report->problems.empty()) return DataLoss("the new snapshot fails verification: " + report->problems.front());
  auto figures = snapshot::ComputeStatus(file->db);
  if (!figures.ok()) return figures.status();
  m.revision = figures->revision;
  m.total_keys = figures->total_keys;
  return Status::Ok();
}

// Before the staged file itself is uploaded (retries): it still holds
// what the stream brought (sha256 trailer).
Status StagedIntact(const std::string& staged) {
  auto file = snapshot::OpenSnapshot(staged);
  if (!file.ok()) return file.status();
  return snapshot::CheckTrailer(*file).WithContext("staged snapshot");
}


// Names have second precision: a run in the same second as another (two
// runs, or a run beside the daemon) takes a suffix, -2 on, rather than
// overwrite the other's object under its manifest. Sets m's name, object,
// created time and encryption.
Status NameBackup(const std::vector<std::unique_ptr<Destination>>& destinations, const BackupConfig& config,
                  int64_t created, Manifest& m) {
  std::set<std::string> taken;
  for (auto& destination : destinations) {
    auto names = destination->List();
    if (names.ok()) taken.insert(names->begin(), names->end());
  }
  const std::string base = config.name + "-" + CompactUtc(created);
  m.name = base;
  for (int suffix = 2; taken.count(m.name + kManifestSuffix) > 0; ++suffix) {
    if (suffix > 99) return Failed("99 backups named " + base + " exist already");
    m.name = base + "-" + std::to_string(suffix);
  }
  m.object = ObjectName(m.name, !config.key.empty());
  m.created = created;
  m.encrypted = !config.key.empty();
  return Status::Ok();
}

// After the first pass: a destination that failed is sent the object again
// from the staged snapshot, after a pause, while attempts remain (a store
// restarted mid-upload may have lost the parts it had); then each holding
// destination gets its manifest (the backup becomes listed) and its prune.
Status StoreRemaining(const std::vector<std::unique_ptr<Destination>>& destinations, const BackupConfig& config,
                      const std::string& staged, std::vector<size_t> pending,
                      std::map<size_t, ObjectUpload::Stored>& uploaded, std::map<size_t, Status>& failed,
                      const std::function<void(const std::string&)>& say, BackupOutcome& outcome) {
  Manifest& m = outcome.manifest;
  auto pause = config.retry_pause;
  if (!pending.empty() && config.upload_attempts > 1) KETCD_RETURN_IF_ERROR(StagedIntact(staged));
  for (int attempt = 2; !pending.empty() && attempt <= config.upload_attempts; ++attempt) {
    say("retrying " + std::to_string(pending.size()) + " destination(s) in " + FormatDuration(pause) +
        " (attempt " + std::to_string(attempt) + " of " + std::to_string(config.upload_attempts) + ")");
    std::this_thread::sleep_for(pause);
    pause *= 2;
    auto again = ObjectUpload::Start(destinations, pending, m.object, config);
    if (!again.ok()) return again.status();
    (void)CopyFile(staged, (*again)->input());
    pending = (*again)->Collect(uploaded, failed);
  }
  for (const auto& [index, error] : failed) {
    outcome.failures.push_back({destinations[index]->Describe(), error.message()});
  }
  if (uploaded.empty()) return Status::Ok();
  m.sha256 = uploaded.begin()->second.sha256;
  m.object_bytes = uploaded.begin()->second.bytes;

  // The manifest last: only now is the backup listed.
  for (const auto& [i, stored] : uploaded) {
    Status written = WriteManifest(*destinations[i], m, stored);
    if (!written.ok()) {
      outcome.failures.push_back({destinations[i]->Describe(), "manifest: " + written.message()});
      continue;
    }
    outcome.stored.push_back(destinations[i]->Describe());
    auto pruned = Prune(*destinations[i], config.retention);
    if (!pruned.ok()) {
      outcome.failures.push_back({destinations[i]->Describe(), "prune: " + pruned.status().message()});
      continue;
    }
    for (const auto& name : *pruned) outcome.pruned.push_back(destinations[i]->Describe() + ": " + name);
  }
  return Status::Ok();
}

}  // namespace

std::string BackupOutcome::FailureSummary() const {
  if (failures.empty()) return "";
  return std::to_string(failures.size()) + " destination(s) failed: " + failures.front().destination + ": " +
         failures.front().why;
}

Result<BackupOutcome> RunBackup(etcd::EtcdClient& client, const BackupConfig& config, int64_t now,
                                const std::function<void(const std::string&)>& say) {
  BackupOutcome outcome;
  Manifest& m = outcome.manifest;
  auto opened = OpenDestinations(config.destinations);
  if (!opened.ok()) return opened.status();
  std::vector<std::unique_ptr<Destination>>& destinations = *opened;
  KETCD_RETURN_IF_ERROR(NameBackup(destinations, config, now, m));
  // The staged snapshot holds every Secret: in a private directory (0700,
  // unpredictable name) under work_dir, removed with it.
  PrivateDir work(config.work_dir);
  if (work.path().empty()) {
    return IoError("cannot create a private directory under " +
                   (config.work_dir.empty() ? std::string("$TMPDIR or /tmp") : config.work_dir));
  }
  const std::string staged = work.path() + "/" + m.name + ".db";
  auto member = snapshot::PickSnapshotMember(client);
  if (!member.ok()) return member.status();

  // The object is compressed, encrypted and uploaded while the snapshot
  // arrives (the staged file is written at the same time); nothing is
  // listed until the staged snapshot has been verified and the manifests
  // are written.
  std::vector<size_t> everywhere(destinations.size());
  std::iota(everywhere.begin(), everywhere.end(), 0);
  auto first = ObjectUpload::Start(destinations, everywhere, m.object, config);
  if (!first.ok()) return first.status();
  say("saving a snapshot from " + client.endpoints()[*member].text + ", compressing" +
      (m.encrypted ? ", encrypting" : "") + " and storing it as " + m.object);
  {
    AsyncSink upload((*first)->input(), kUploadQueueBytes);
    auto saved = snapshot::SaveSnapshot(client, *member, staged, nullptr,
                                        [&upload](std::string_view chunk) { (void)upload.Write(chunk); });
    if (!saved.ok()) return saved.status();  // the uploads are abandoned: nothing published
    (void)upload.Finish();                    // each destination's outcome is in `first`
    m.snapshot_bytes = static_cast<int64_t>(saved->bytes);
  }
  std::map<size_t, ObjectUpload::Stored> uploaded;
  std::map<size_t, Status> failed;
  std::vector<size_t> pending = (*first)->Collect(uploaded, failed);
  auto status = client.EndpointStatus(*member);
  if (status.ok()) {
    m.etcd_version = status->version();
    m.cluster_id = HexId(status->header().cluster_id());
  }
  Status verified = VerifyStaged(staged, m);
  if (!verified.ok()) {
    for (const auto& [index, stored] : uploaded) (void)destinations[index]->Remove(m.object);
    return verified;
  }
  say("verified: revision " + std::to_string(m.revision) + ", " + std::to_string(m.total_keys) + " keys");

  KETCD_RETURN_IF_ERROR(StoreRemaining(destinations, config, staged, pending, uploaded, failed, say, outcome));
  return outcome;
}

Result<BackupOutcome> StoreSnapshotFile(const BackupConfig& config, Manifest m, const std::string& staged,
                                        const std::function<void(const std::string&)>& say) {
  BackupOutcome outcome;
  auto opened = OpenDestinations(config.destinations);
  if (!opened.ok()) return opened.status();
  std::vector<std::unique_ptr<Destination>>& destinations = *opened;
  KETCD_RETURN_IF_ERROR(NameBackup(destinations, config, m.created, m));
  outcome.manifest = m;
  std::vector<size_t> everywhere(destinations.size());
  std::iota(everywhere.begin(), everywhere.end(), 0);
  auto first = ObjectUpload::Start(destinations, everywhere, m.object, config);
  if (!first.ok()) return first.status();
  say("storing " + m.object + (m.encrypted ? " (compressed, encrypted)" : " (compressed)"));
  (void)CopyFile(staged, (*first)->input());  // each destination's outcome is in `first`
  std::map<size_t, ObjectUpload::Stored> uploaded;
  std::map<size_t, Status> failed;
  std::vector<size_t> pending = (*first)->Collect(uploaded, failed);
  KETCD_RETURN_IF_ERROR(StoreRemaining(destinations, config, staged, pending, uploaded, failed, say, outcome));
  return outcome;
}

}  // namespace ketcd::backup
