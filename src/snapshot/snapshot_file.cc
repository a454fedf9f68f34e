#include "snapshot/snapshot_file.h"

#include <openssl/evp.h>
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
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), file.covered.data(), file.covered.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &size) != 1) {
    return Internal("sha256 failed");
  }
  if (std::string_view(reinterpret_cast<const char*>(digest), size) != *file.trailer) {
    return DataLoss(file.path + ": sha256 trailer does not match the content (corrupt or altered)");
  }
  return Status::Ok();
}

}  // namespace ketcd::snapshot
