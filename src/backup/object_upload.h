// Storing one object in several destinations at once: the archive format
// (zstd, then AES-256-GCM with a key), its sha256, and every destination's
// sink fed from one pass; a destination that fails is dropped from the pass
// and reported, the others go on. Full backups (backup_job.cc) and delta
// segments (delta_recorder.cc) are stored this way; manifests go last.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backup/backup_config.h"
#include "backup/destination.h"
#include "backup/manifest.h"

namespace ketcd::backup {

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
  Status Write(std::string_view bytes) override;
  Status Finish() override;
  std::vector<Target>& targets() { return targets_; }

 private:
  bool Any() const;
  std::vector<Target> targets_;
};

// One pass of the object to the destinations `indices`.
class ObjectUpload {
 public:
  struct Stored {
    std::string sha256;
    int64_t bytes = 0;
  };
  static Result<std::unique_ptr<ObjectUpload>> Start(const std::vector<std::unique_ptr<Destination>>& destinations,
                                                     const std::vector<size_t>& indices, const std::string& object,
                                                     const BackupConfig& config);
  // The plain bytes go here; finish it before Collect.
  ByteSink& input() { return *archive_; }

  // Records each destination's object, or why it failed; returns the
  // destinations worth another attempt (wrong credentials or settings do
  // not mend themselves).
  std::vector<size_t> Collect(std::map<size_t, Stored>& stored, std::map<size_t, Status>& failed);

 private:
  explicit ObjectUpload(std::vector<FanOutSink::Target> targets) : fan_out_(std::move(targets)), hashing_(&fan_out_) {}
  FanOutSink fan_out_;
  HashingSink hashing_;
  std::unique_ptr<ByteSink> archive_;
};

// Stores `manifest` as NAME.manifest.json with the sha256 and size of the
// object this destination holds (each pass encrypts with its own nonces):
// the object becomes listed.
Status WriteManifest(Destination& destination, Manifest manifest, const ObjectUpload::Stored& object);

}  // namespace ketcd::backup
