#include "backup/backup_job.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <thread>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "backup/archive_format.h"
#include "backup/async_sink.h"
#include "snapshot/save.h"
#include "snapshot/status.h"
#include "snapshot/verify.h"
#include "util/duration.h"
#include "util/hex_id.h"
#include "util/sha256.h"
#include "util/utc_time.h"

namespace ketcd::backup {
namespace {

using Json = nlohmann::json;
constexpr char kManifestSuffix[] = ".manifest.json";

Json ToJson(const Manifest& m) {
  return {{"name", m.name}, {"object", m.object}, {"sha256", m.sha256}, {"objectBytes", m.object_bytes},
          {"snapshotBytes", m.snapshot_bytes}, {"revision", m.revision}, {"totalKeys", m.total_keys},
          {"etcdVersion", m.etcd_version}, {"clusterID", m.cluster_id}, {"created", Rfc3339Utc(m.created)},
          {"createdUnix", m.created}, {"compression", "zstd"},
          {"encryption", m.encrypted ? "aes-256-gcm" : "none"}};
}

Result<Manifest> ManifestFromJson(const std::string& text) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("object") || !j.contains("sha256")) {
    return DataLoss("not a backup manifest");
  }
  Manifest m;
  m.name = j.value("name", "");
  m.object = j.value("object", "");
  m.sha256 = j.value("sha256", "");
  m.object_bytes = j.value("objectBytes", int64_t{0});
  m.snapshot_bytes = j.value("snapshotBytes", int64_t{0});
  m.revision = j.value("revision", int64_t{0});
  m.total_keys = j.value("totalKeys", int64_t{0});
  m.etcd_version = j.value("etcdVersion", "");
  m.cluster_id = j.value("clusterID", "");
  m.created = j.value("createdUnix", int64_t{0});
  m.encrypted = j.value("encryption", "none") != "none";
  return m;
}

// Collects what it is given.
class StringSink : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    if (text.size() + bytes.size() > (1 << 20)) return DataLoss("manifest too large");
    text.append(bytes);
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }
  std::string text;
};

// SHA-256 and size of what passes through, on to `next`.
class HashingSink : public ByteSink {
 public:
  explicit HashingSink(ByteSink* next) : next_(next) {}
  Status Write(std::string_view bytes) override {
    sha256_.Update(bytes);
    bytes_ += static_cast<int64_t>(bytes.size());
    return next_ ? next_->Write(bytes) : Status::Ok();
  }
  Status Finish() override {
    hex_ = HexBytes(sha256_.Finish());
    return next_ ? next_->Finish() : Status::Ok();
  }
  const std::string& hex() const { return hex_; }
  int64_t bytes() const { return bytes_; }

 private:
  ByteSink* next_;
  Sha256 sha256_;
  std::string hex_;
  int64_t bytes_ = 0;
};

// Writes to every destination's sink; one failing is dropped (its partial
// object discarded) and its error kept, the others go on.
class FanOutSink : public ByteSink {
 public:
  struct Target {
    size_t destination;
    std::unique_ptr<ByteSink> sink;
    Status error;
  };
  explicit FanOutSink(std::vector<Target> targets) : targets_(std::move(targets)) {}
  Status Write(std::string_view bytes) override {
    for (auto& target : targets_) {
      if (target.sink != nullptr) Drop(target, target.sink->Write(bytes));
    }
    return Any() ? Status::Ok() : Failed("every destination failed");
  }
  Status Finish() override {
    for (auto& target : targets_) {
      if (target.sink != nullptr) Drop(target, target.sink->Finish());
    }
    return Any() ? Status::Ok() : Failed("every destination failed");
  }
  std::vector<Target>& targets() { return targets_; }

 private:
  static void Drop(Target& target, Status status) {
    if (status.ok()) return;
    target.error = std::move(status);
    target.sink.reset();
  }
  bool Any() const {
    return std::any_of(targets_.begin(), targets_.end(), [](const Target& t) { return t.sink != nullptr; });
  }
  std::vector<Target> targets_;
};

Status CopyFile(const std::string& path, ByteSink& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError(path + ": cannot read");
  std::string buffer(1 << 20, '\0');
  while (file) {
    file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (file.gcount() > 0) KETCD_RETURN_IF_ERROR(out.Write(std::string_view(buffer.data(), static_cast<size_t>(file.gcount()))));
  }
  return out.Finish();
}

class FileWriter : public ByteSink {
 public:
  explicit FileWriter(const std::string& path) : path_(path), file_(path, std::ios::binary | std::ios::trunc) {}
  Status Write(std::string_view bytes) override {
    file_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file_ ? Status::Ok() : IoError(path_ + ": write failed");
  }
  Status Finish() override {
    file_.close();
    return file_ ? Status::Ok() : IoError(path_ + ": write failed");
  }

 private:
  std::string path_;
  std::ofstream file_;
};

std::string WorkDir(const BackupConfig& config) {
  if (!config.work_dir.empty()) return config.work_dir;
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// Bytes of snapshot waiting between the etcd stream and the uploads.
constexpr size_t kUploadQueueBytes = 16 << 20;

// One pass of the object to some destinations: archive format (zstd, then
// AES-256-GCM with a key) -> sha256 -> every destination's sink.
class ObjectUpload {
 public:
  struct Stored {
    std::string sha256;
    int64_t bytes = 0;
  };
  static Result<std::unique_ptr<ObjectUpload>> Start(const std::vector<std::unique_ptr<Destination>>& destinations,
                                                     const std::vector<size_t>& indices, const std::string& object,
                                                     const BackupConfig& config) {
    std::vector<FanOutSink::Target> targets;
    for (size_t index : indices) {
      auto sink = destinations[index]->Create(object);
      targets.push_back({index, sink.ok() ? std::move(*sink) : nullptr, sink.status()});
    }
    std::unique_ptr<ObjectUpload> upload(new ObjectUpload(std::move(targets)));
    auto archive = ArchiveWriter(upload->hashing_, config.key, config.compression_level);
    if (!archive.ok()) return archive.status();
    upload->archive_ = std::move(*archive);
    return upload;
  }
  ByteSink& input() { return *archive_; }

  // After input() finished: records each destination's object, or why it
  // failed; returns the destinations worth another attempt (wrong
  // credentials or settings do not mend themselves).
  std::vector<size_t> Collect(std::map<size_t, Stored>& stored, std::map<size_t, Status>& failed) {
    std::vector<size_t> retry;
    for (auto& target : fan_out_.targets()) {
      if (target.sink != nullptr) {
        stored[target.destination] = {hashing_.hex(), hashing_.bytes()};
        failed.erase(target.destination);
        continue;
      }
      failed[target.destination] = target.error;
      const ErrorCode code = target.error.code();
      if (code != ErrorCode::kUnauthenticated && code != ErrorCode::kInvalidArgument) retry.push_back(target.destination);
    }
    return retry;
  }

 private:
  explicit ObjectUpload(std::vector<FanOutSink::Target> targets) : fan_out_(std::move(targets)), hashing_(&fan_out_) {}
  FanOutSink fan_out_;
  HashingSink hashing_;
  std::unique_ptr<ByteSink> archive_;
};

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

}  // namespace

Result<BackupConfig> LoadBackupConfig(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  BackupConfig config;
  try {
    if (root["name"]) config.name = root["name"].as<std::string>();
    if (root["work_dir"]) config.work_dir = root["work_dir"].as<std::string>();
    if (root["compression_level"]) config.compression_level = root["compression_level"].as<int>();
    if (root["upload_attempts"]) config.upload_attempts = std::max(1, root["upload_attempts"].as<int>());
    for (auto [key, duration] : {std::pair{"retry_pause", &config.retry_pause}, {"retry_backoff", &config.retry_backoff}}) {
      if (!root[key]) continue;
      auto parsed = ParseDuration(root[key].as<std::string>());
      if (!parsed.ok()) return parsed.status().WithContext(path + ": " + key);
      *duration = *parsed;
    }
    if (root["schedule"]) config.schedule = root["schedule"].as<std::string>();
    if (root["retries"]) config.retries = std::max(0, root["retries"].as<int>());
    for (const auto& entry : root["destinations"]) {
      DestinationConfig destination;
      if (entry.IsScalar()) {
        destination.url = entry.as<std::string>();
      } else {
        for (const auto& setting : entry) {
          const auto key = setting.first.as<std::string>();
          (key == "url" ? destination.url : destination.settings[key]) = setting.second.as<std::string>();
        }
        if (destination.url.empty()) return InvalidArgument(path + ": a destination without url");
      }
      config.destinations.push_back(std::move(destination));
    }
    if (const auto retention = root["retention"]) {
      auto get = [&](const char* key) { return retention[key] ? retention[key].as<int>() : 0; };
      config.retention = {get("keep_last"), get("hourly"), get("daily"), get("weekly"), get("monthly")};
    }
    if (root["encryption"] && root["encryption"]["key_file"]) {
      auto key = LoadEncryptionKey(root["encryption"]["key_file"].as<std::string>());
      if (!key.ok()) return key.status();
      config.key = *key;
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  if (config.destinations.empty()) return InvalidArgument(path + ": no destinations");
  for (char c : config.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return InvalidArgument(path + ": name may hold letters, digits, - and _ only");
    }
  }
  return config;
}

Result<BackupOutcome> RunBackup(etcd::EtcdClient& client, const BackupConfig& config, int64_t now,
                                const std::function<void(const std::string&)>& say) {
  BackupOutcome outcome;
  Manifest& m = outcome.manifest;
  m.name = config.name + "-" + CompactUtc(now);
  m.object = m.name + (config.key.empty() ? ".db.zst" : ".db.zst.enc");
  m.created = now;
  m.encrypted = !config.key.empty();
  std::vector<std::unique_ptr<Destination>> destinations;
  for (const DestinationConfig& destination_config : config.destinations) {
    auto destination = OpenDestination(destination_config);
    if (!destination.ok()) return destination.status();
    destinations.push_back(std::move(*destination));
  }

  // Names have second precision: a second run in the same second would
  // overwrite the first's object under its manifest.
  for (auto& destination : destinations) {
    auto names = destination->List();
    if (names.ok() && std::count(names->begin(), names->end(), m.name + kManifestSuffix)) {
      return Failed("a backup named " + m.name + " exists in " + destination->Describe() + " already");
    }
  }
  const std::string staged = WorkDir(config) + "/." + m.name + "." + std::to_string(getpid()) + ".db";
  struct Cleanup {
    std::string path;
    ~Cleanup() { std::remove((path + ".part").c_str()), std::remove(path.c_str()); }
  } cleanup{staged};
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

  // A destination that failed is sent the object again from the staged
  // snapshot, after a pause, while attempts remain (a store restarted
  // mid-upload may have lost the parts it had).
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
    outcome.failures.push_back(destinations[index]->Describe() + ": " + error.message());
  }
  if (uploaded.empty()) {
    std::string why;
    for (const std::string& failure : outcome.failures) why += (why.empty() ? "" : "; ") + failure;
    return Failed("backup not stored: " + why);
  }
  m.sha256 = uploaded.begin()->second.sha256;
  m.object_bytes = uploaded.begin()->second.bytes;

  // The manifest last: only now is the backup listed. Each destination's
  // object has its own sha256 (encryption nonces differ between passes).
  for (const auto& [i, stored] : uploaded) {
    Manifest own = m;
    own.sha256 = stored.sha256;
    own.object_bytes = stored.bytes;
    const std::string manifest = ToJson(own).dump(2) + "\n";
    auto sink = destinations[i]->Create(m.name + kManifestSuffix);
    Status written = sink.ok() ? (*sink)->Write(manifest) : sink.status();
    if (written.ok()) written = (*sink)->Finish();
    if (!written.ok()) {
      outcome.failures.push_back(destinations[i]->Describe() + ": manifest: " + written.message());
      continue;
    }
    outcome.stored.push_back(destinations[i]->Describe());
    auto pruned = Prune(*destinations[i], config.retention);
    if (!pruned.ok()) {
      outcome.failures.push_back(destinations[i]->Describe() + ": prune: " + pruned.status().message());
      continue;
    }
    for (const auto& name : *pruned) outcome.pruned.push_back(destinations[i]->Describe() + ": " + name);
  }
  if (outcome.stored.empty()) return Failed("no destination stored the backup: " + outcome.failures.front());
  return outcome;
}

Result<std::vector<std::string>> Prune(Destination& destination, const RetentionPolicy& policy) {
  if (policy.keeps_everything()) return std::vector<std::string>{};
  auto names = destination.List();
  if (!names.ok()) return names.status();
  std::vector<Manifest> manifests;
  for (const std::string& name : *names) {
    if (!name.ends_with(kManifestSuffix)) continue;
    StringSink text;
    if (!destination.Read(name, text).ok()) continue;
    auto manifest = ManifestFromJson(text.text);
    if (manifest.ok()) manifests.push_back(*manifest);
  }
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
    auto names = (*destination)->List();
    if (!names.ok()) return names.status().WithContext((*destination)->Describe());
    for (const std::string& name : *names) {
      if (!name.ends_with(kManifestSuffix)) continue;
      StringSink text;
      KETCD_RETURN_IF_ERROR((*destination)->Read(name, text));
      auto manifest = ManifestFromJson(text.text);
      if (!manifest.ok()) return manifest.status().WithContext((*destination)->Describe() + "/" + name);
      listed.push_back({(*destination)->Describe(), index, *manifest});
    }
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
