#include "backup/delta_recorder.h"

#include <charconv>
#include <cstdio>
#include <limits>
#include <map>
#include <thread>

#include "backup/object_upload.h"
#include "util/duration.h"
#include "util/durable_file.h"
#include "util/read_file.h"

namespace ketcd::backup {
namespace {

int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t ClusterIdOf(const Manifest& full) {
  uint64_t id = 0;
  const std::string& hex = full.cluster_id;
  std::from_chars(hex.data(), hex.data() + hex.size(), id, 16);
  return id;  // 0 (unknown): the watch's first response says
}

// A spooled segment: 0600, in place only once complete and synced.
Status WriteSpoolFile(const std::string& path, std::string_view bytes) {
  auto file = DurableFile::Create(path, 0600);
  if (!file.ok()) return file.status();
  KETCD_RETURN_IF_ERROR(file->Write(bytes));
  return file->Commit();
}

// Sleeps `pause` unless `stop` is set first.
void Pause(std::chrono::milliseconds pause, const std::atomic<bool>& stop) {
  const auto until = DeltaRecorder::Clock::now() + pause;
  while (!stop.load() && DeltaRecorder::Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

struct DeltaRecorder::Segment {
  Clock::time_point opened;
  // The plain bytes, kept until stored everywhere (delta_max_mib and one
  // revision at most: SegmentDue closes it), so a failing store can be sent them again.
  StringSink plain{std::numeric_limits<size_t>::max()};
  DeltaSegmentWriter writer{plain};
};

Result<std::unique_ptr<DeltaRecorder>> DeltaRecorder::Start(etcd::EtcdClient& client, const BackupConfig& config,
                                                            const Manifest& full,
                                                            const std::vector<std::string>& stored_in,
                                                            std::function<void(const std::string&)> say,
                                                            DeltaObserver* observer) {
  std::unique_ptr<DeltaRecorder> recorder(new DeltaRecorder(client, config, full, std::move(say), observer));
  for (const DestinationConfig& destination_config : config.destinations) {
    auto destination = OpenDestination(destination_config);
    if (!destination.ok()) return destination.status();
    // Segments go only where their full backup is: elsewhere they could
    // never be restored.
    if (std::find(stored_in.begin(), stored_in.end(), (*destination)->Describe()) == stored_in.end()) continue;
    recorder->destinations_.push_back(std::move(*destination));
  }
  if (recorder->destinations_.empty()) return Failed(full.name + ": stored nowhere, no chain to continue");
  return recorder;
}

DeltaRecorder::DeltaRecorder(etcd::EtcdClient& client, const BackupConfig& config, const Manifest& full,
                             std::function<void(const std::string&)> say, DeltaObserver* observer)
    : client_(client),
      config_(config),
      full_(full),
      say_(std::move(say)),
      observer_(observer),
      revisions_(full.revision, ClusterIdOf(full)),
      previous_(full.name),
      stored_revision_(full.revision) {}

DeltaRecorder::~DeltaRecorder() {
  if (!spool_.empty()) {
    say_(std::to_string(spool_.size()) + " segment(s) of " + full_.name +
         " never reached every store; the chain stops before them there");
  }
}

void DeltaRecorder::Resume(const std::string& previous, int64_t revision) {
  revisions_ = WatchRevisions(revision, ClusterIdOf(full_));
  previous_ = previous;
  stored_revision_ = revision;
}

void DeltaRecorder::Record(Clock::time_point until, const std::atomic<bool>& stop) {
  while (!ended() && !stop.load() && Clock::now() < until) {
    Clock::time_point deadline = segment_ ? segment_->opened + config_.delta_interval
                                          : Clock::now() + config_.delta_interval;
    WatchOnce(std::min(deadline, until), 0, stop);
    if (segment_ && (SegmentDue() || ended() || stop.load())) Store();
  }
  if (segment_ && stop.load()) Store();
}

void DeltaRecorder::Finish(int64_t revision, std::chrono::milliseconds patience, const std::atomic<bool>& stop) {
  const Clock::time_point give_up = Clock::now() + patience;
  while (!ended() && !stop.load() && revisions_.last_revision() < revision && Clock::now() < give_up) {
    WatchOnce(give_up, revision, stop);
    if (segment_ && SegmentDue() && !ended()) Store();
  }
  if (!ended() && revisions_.last_revision() < revision) {
    say_("chain of " + full_.name + ": revision " + std::to_string(revision) + " not reached in " +
         FormatDuration(patience) + "; it ends at revision " + std::to_string(revisions_.last_revision()));
  }
  End("next-chain");  // carried by the last segment, stored now
  Store();
}

void DeltaRecorder::WatchOnce(Clock::time_point deadline, int64_t last, const std::atomic<bool>& stop) {
  etcd::pb::WatchCreateRequest request;
  request.set_key(std::string(1, '\0'));  // every key: from "\0" to the end
  request.set_range_end(std::string(1, '\0'));
  request.set_start_revision(revisions_.last_revision() + 1);
  const auto timeout = std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                  deadline - Clock::now()));
  std::vector<DeltaRevision> taken;
  Status watched = client_.Watch(
      request,
      [&](const etcd::pb::WatchResponse& response) {
        if (observer_ != nullptr) observer_->EtcdRevision(response.header().revision());
        taken.clear();
        revisions_.Take(response, UnixMillisNow(), taken);
        for (DeltaRevision& revision : taken) {
          // Beyond `last`: the next chain's (its full backup holds them).
          if (last > 0 && revision.revision > last) break;
          Add(std::move(revision));
        }
        if (revisions_.ended() || ended()) return false;
        if (last > 0 && revisions_.last_revision() >= last) return false;
        return !stop.load() && !(segment_ && SegmentDue());
      },
      timeout);
  if (revisions_.ended()) {
    End(revisions_.chain_end());
    return;
  }
  if (!watched.ok()) {
    // Nothing is lost while etcd keeps the revisions after the last one
    // taken: the next watch starts there (a compacted start ends the chain).
    if (observer_ != nullptr) observer_->WatchRestarted();
    say_("chain of " + full_.name + ": watch interrupted (" + watched.message() + "); resuming from revision " +
         std::to_string(revisions_.last_revision() + 1));
    Pause(std::chrono::seconds(1), stop);
  }
}

void DeltaRecorder::Add(DeltaRevision&& revision) {
  if (!segment_) {
    segment_ = std::make_unique<Segment>();
    segment_->opened = Clock::now();
  }
  Status added = segment_->writer.Add(revision);
  // WatchRevisions hands over revisions in order with times that never go
  // back, which is all Add asks: a refusal here is a bug, not etcd's doing.
  if (!added.ok()) End("internal-error");
}

bool DeltaRecorder::SegmentDue() const {
  return Clock::now() >= segment_->opened + config_.delta_interval ||
         segment_->writer.plain_bytes() >= static_cast<int64_t>(config_.delta_max_mib) << 20;
}

void DeltaRecorder::Store() {
  std::unique_ptr<Segment> segment = std::move(segment_);
  if (!segment || segment->writer.first_revision() == 0) return;
  (void)segment->writer.Finish();
  DeltaSegmentWriter& writer = segment->writer;
  Manifest m;
  m.kind = BackupKind::kDelta;
  // Unique within the chain (revisions only grow), ordered by revision.
  m.name = full_.name + "-r" + std::to_string(writer.first_revision());
  m.encrypted = !config_.key.empty();
  m.object = ObjectName(m.name, m.encrypted, BackupKind::kDelta);
  m.created = writer.last_unix_millis() / 1000;
  m.revision = writer.last_revision();
  m.total_keys = writer.events();
  m.snapshot_bytes = writer.plain_bytes();
  m.etcd_version = full_.etcd_version;
  m.cluster_id = full_.cluster_id;
  m.chain = full_.name;
  m.previous = previous_;
  m.first_revision = writer.first_revision();
  m.first_seen_millis = writer.first_unix_millis();
  m.last_seen_millis = writer.last_unix_millis();
  m.chain_end = chain_end_;

  // Earlier segments first; then this one, once to each destination: one
  // that fails gets it from the spool at the next segment.
  Flush();
  std::vector<size_t> everywhere(destinations_.size());
  for (size_t i = 0; i < everywhere.size(); ++i) everywhere[i] = i;
  std::vector<size_t> missing = spool_.empty() ? Upload(m, segment->plain.text, everywhere) : everywhere;
  previous_ = m.name;
  if (missing.empty()) {
    stored_revision_ = m.revision;
    if (observer_ != nullptr) observer_->SegmentStored(m);
    return;
  }
  Spool(m, segment->plain.text, std::move(missing));
}

std::vector<size_t> DeltaRecorder::Upload(const Manifest& m, std::string_view plain,
                                          const std::vector<size_t>& destinations) {
  std::map<size_t, ObjectUpload::Stored> stored;
  std::map<size_t, Status> failed;
  auto upload = ObjectUpload::Start(destinations_, destinations, m.object, config_);
  if (!upload.ok()) {
    for (size_t index : destinations) failed[index] = upload.status();
  } else {
    (void)(*upload)->input().Write(plain);
    (void)(*upload)->input().Finish();
    (*upload)->Collect(stored, failed);
  }
  // The manifest last, per destination.
  for (const auto& [index, object] : stored) {
    Status written = WriteManifest(*destinations_[index], m, object);
    if (!written.ok()) failed[index] = written.WithContext("manifest");
  }
  std::vector<size_t> missing;
  for (const auto& [index, error] : failed) {
    say_("segment " + m.name + " not stored in " + destinations_[index]->Describe() + " (kept in the spool): " +
         error.message());
    missing.push_back(index);
  }
  return missing;
}

void DeltaRecorder::Spool(const Manifest& m, std::string_view plain, std::vector<size_t> missing) {
  if (!spool_dir_) spool_dir_ = std::make_unique<PrivateDir>(config_.work_dir);
  const std::string path = spool_dir_->path() + "/" + m.name;
  const int64_t limit = int64_t{config_.delta_spool_mib} << 20;
  Status written = spool_dir_->path().empty() ? IoError("cannot create a private directory under work_dir")
                   : spool_bytes_ + static_cast<int64_t>(plain.size()) > limit
                       ? Failed("the spool would exceed delta_spool_mib (" + std::to_string(config_.delta_spool_mib) +
                                " MiB)")
                       : WriteSpoolFile(path, plain);
  if (!written.ok()) {
    // The chain cannot go on where segments are missing; a full backup
    // starts the next one everywhere.
    say_("segment " + m.name + " cannot wait for its stores: " + written.message());
    DropSpool();
    End("upload-failed");
    return;
  }
  spool_bytes_ += static_cast<int64_t>(plain.size());
  spool_.push_back({m, path, static_cast<int64_t>(plain.size()), std::move(missing)});
}

void DeltaRecorder::Flush() {
  while (!spool_.empty()) {
    Spooled& oldest = spool_.front();
    Result<std::string> plain = ReadWholeFile(oldest.path);
    if (!plain.ok()) {
      say_("segment " + oldest.manifest.name + ": " + plain.status().message());
      DropSpool();
      End("upload-failed");
      return;
    }
    oldest.destinations = Upload(oldest.manifest, *plain, oldest.destinations);
    if (!oldest.destinations.empty()) return;  // that store is still down: the rest waits behind it
    stored_revision_ = oldest.manifest.revision;
    if (observer_ != nullptr) observer_->SegmentStored(oldest.manifest);
    spool_bytes_ -= oldest.bytes;
    std::remove(oldest.path.c_str());
    spool_.pop_front();
  }
}

void DeltaRecorder::DropSpool() {
  for (const Spooled& spooled : spool_) std::remove(spooled.path.c_str());
  spool_.clear();
  spool_bytes_ = 0;
}

void DeltaRecorder::End(const std::string& why) {
  if (ended()) return;
  chain_end_ = why;
  // The segment being written carries the word; without one, the last
  // stored segment's manifest stays as it is and the log says why.
  if (!segment_) {
    say_("chain of " + full_.name + " ends at revision " + std::to_string(stored_revision_) + ": " + why);
  }
}

}  // namespace ketcd::backup
