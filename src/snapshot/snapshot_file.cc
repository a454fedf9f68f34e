#include "snapshot/snapshot_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <memory>

#include "snapshot/zip_snapshot.h"
#include "util/mapped_file.h"
#include "util/sha256.h"

namespace ketcd::snapshot {

Result<SnapshotFile> OpenSnapshot(const std::string& path) {
  auto mapped = MappedFile::Open(path);
  if (!mapped.ok()) return mapped.status();
  std::shared_ptr<MappedFile> mapping = std::move(*mapped);
  const std::string_view content = mapping->bytes();
  Result<bolt::Database> db = Internal("not opened");
  std::optional<uint32_t> zip_crc32;
  if (IsZipArchive(content)) {
    auto zipped = OpenZippedSnapshot(path, std::move(mapping));
    if (!zipped.ok()) return zipped.status();
    db = std::move(zipped->db);
    zip_crc32 = zipped->stored_crc32;
  } else {
    db = bolt::Database::InMapping(std::move(mapping), content);
    if (!db.ok()) return db.status().WithContext(path);
  }
  SnapshotFile file{path, std::move(*db), {}, std::nullopt, zip_crc32};
  const std::string_view bytes = file.db.file();
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
  if (!file.trailer && !file.zip_crc32) return Status::Ok();
  Sha256 sha256;
  uint32_t crc = 0;
  const std::string_view bytes = file.db.file();
  constexpr size_t kChunk = 8 << 20;
  for (size_t offset = 0; offset < bytes.size(); offset += kChunk) {
    const std::string_view chunk = bytes.substr(offset, kChunk);
    if (file.trailer) sha256.Update(chunk.substr(0, file.covered.size() - std::min(offset, file.covered.size())));
    if (file.zip_crc32) crc = ZipCrc32(chunk, crc);
    file.db.Touched(chunk.size());
  }
  if (file.zip_crc32 && crc != *file.zip_crc32) {
    return DataLoss(file.path + ": the snapshot does not match the CRC-32 its zip archive lists (corrupt or altered)");
  }
  if (file.trailer && sha256.Finish() != *file.trailer) {
    return DataLoss(file.path + ": sha256 trailer does not match the content (corrupt or altered)");
  }
  return Status::Ok();
}

}  // namespace ketcd::snapshot
