#include "snapshot/snapshot_file.h"
#include "util/sha256.h"

#include <sys/stat.h>

#include <memory>

namespace ketcd::snapshot {

Result<SnapshotFile> OpenSnapshot(const std::string& path) {
  auto db = bolt::Database::Open(path);
  if (!db.ok()) return db.status();
  SnapshotFile file{path, std::move(*db), {}, std::nullopt};
  std::string_view bytes = file.db.file();
  file.covered = bytes;
  if (bytes.size() % 512 == kSha256Size) {
    file.covered = bytes.substr(0, bytes.size() - kSha256Size);
    file.trailer = bytes.substr(bytes.size() - kSha256Size);
  }
  return file;
}

Result<std::string> BackendPathInDataDir(const std::string& data_dir) {
  const std::string path = data_dir + "/member/snap/db";
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return InvalidArgument(data_dir + ": not an etcd data dir (no member/snap/db)");
  }
  return path;
}

Status CheckTrailer(const SnapshotFile& file) {
  if (!file.trailer) return Status::Ok();
  Sha256 sha256;
  constexpr size_t kChunk = 8 << 20;
  for (size_t offset = 0; offset < file.covered.size(); offset += kChunk) {
    const std::string_view chunk = file.covered.substr(offset, kChunk);
    sha256.Update(chunk);
    file.db.Touched(chunk.size());
  }
  if (sha256.Finish() != *file.trailer) {
    return DataLoss(file.path + ": sha256 trailer does not match the content (corrupt or altered)");
  }
  return Status::Ok();
}

}  // namespace ketcd::snapshot
