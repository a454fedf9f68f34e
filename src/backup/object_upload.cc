#include "backup/object_upload.h"

#include <algorithm>

#include "backup/archive_format.h"

namespace ketcd::backup {
namespace {

void Drop(FanOutSink::Target& target, Status status) {
  if (status.ok()) return;
  target.error = std::move(status);
  target.sink.reset();
}

}  // namespace

Status FanOutSink::Write(std::string_view bytes) {
  for (auto& target : targets_) {
    if (target.sink != nullptr) Drop(target, target.sink->Write(bytes));
  }
  return Any() ? Status::Ok() : Failed("every destination failed");
}

Status FanOutSink::Finish() {
  for (auto& target : targets_) {
    if (target.sink != nullptr) Drop(target, target.sink->Finish());
  }
  return Any() ? Status::Ok() : Failed("every destination failed");
}

bool FanOutSink::Any() const {
  return std::any_of(targets_.begin(), targets_.end(), [](const Target& t) { return t.sink != nullptr; });
}

Result<std::unique_ptr<ObjectUpload>> ObjectUpload::Start(const std::vector<std::unique_ptr<Destination>>& destinations,
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

std::vector<size_t> ObjectUpload::Collect(std::map<size_t, Stored>& stored, std::map<size_t, Status>& failed) {
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

Status WriteManifest(Destination& destination, Manifest manifest, const ObjectUpload::Stored& object) {
  manifest.sha256 = object.sha256;
  manifest.object_bytes = object.bytes;
  auto sink = destination.Create(manifest.name + kManifestSuffix);
  if (!sink.ok()) return sink.status();
  KETCD_RETURN_IF_ERROR((*sink)->Write(ManifestText(manifest)));
  return (*sink)->Finish();
}

}  // namespace ketcd::backup
