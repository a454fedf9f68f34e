#include "snapshot/save.h"

#include <unistd.h>

#include <memory>
#include <optional>

#include "snapshot/snapshot_file.h"
#include "util/durable_file.h"
#include "util/sha256.h"

namespace ketcd::snapshot {
namespace {

// SHA-256 of everything but the last 32 bytes seen, which are kept aside:
// in a snapshot stream they are the trailer.
class TrailerCheck {
 public:
  void Add(const std::string& chunk) {
    held_ += chunk;
    if (held_.size() <= kSha256Size) return;
    const size_t hashable = held_.size() - kSha256Size;
    sha256_.Update(std::string_view(held_).substr(0, hashable));
    held_.erase(0, hashable);
  }
  bool Matches() { return held_ == sha256_.Finish(); }

 private:
  Sha256 sha256_;
  std::string held_;
};

}  // namespace

Result<SaveResult> SaveSnapshot(etcd::EtcdClient& client, size_t endpoint, const std::string& path,
                                const std::function<void(uint64_t, uint64_t)>& progress,
                                const std::function<void(std::string_view)>& tee) {
  const bool to_stdout = path == "-";
  // Like etcdctl, an existing FILE is replaced, but only by a complete save.
  std::optional<DurableFile> file;
  if (!to_stdout) {
    auto created = DurableFile::Create(path, 0600, DurableFile::Existing::kReplace);
    if (!created.ok()) return created.status();
    file.emplace(std::move(*created));
  }
  SaveResult result;
  TrailerCheck trailer;
  Status status = client.Snapshot(endpoint, [&](const std::string& chunk, uint64_t remaining) {
    trailer.Add(chunk);
    result.bytes += chunk.size();
    if (progress) progress(result.bytes, result.bytes + remaining);
    if (tee) tee(chunk);
    return file ? file->Write(chunk) : WriteAll(STDOUT_FILENO, chunk, "stdout");
  });
  if (status.ok() && !trailer.Matches()) {
    status = DataLoss("the snapshot stream's sha256 does not match its content");
  }
  if (status.ok() && file) status = file->Commit();  // else the part is removed with `file`
  if (!status.ok()) return status;
  return result;
}

Result<size_t> PickSnapshotMember(etcd::EtcdClient& client) {
  if (client.endpoints().size() == 1) return size_t{0};
  auto leader = client.FindLeaderEndpoint();
  if (leader.ok()) return *leader;
  for (size_t i = 0; i < client.endpoints().size(); ++i) {
    if (client.EndpointStatus(i).ok()) return i;
  }
  return leader.status();
}

}  // namespace ketcd::snapshot
