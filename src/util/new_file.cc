#include "util/new_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ketcd {

Status WriteNewFile(const std::string& path, std::string_view content, mode_t mode,
                    uint64_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return IoError(path + ": " + std::strerror(errno));
  bool ok = ::ftruncate(fd, static_cast<off_t>(std::max<uint64_t>(size, content.size()))) == 0;
  for (size_t written = 0; ok && written < content.size();) {
    const ssize_t n = ::pwrite(fd, content.data() + written, content.size() - written,
                               static_cast<off_t>(written));
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  return ok ? Status::Ok() : IoError(path + ": " + std::strerror(error));
}

Status WriteAll(int fd, std::string_view data, const std::string& name) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError(name + ": " + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectoryOf(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(dir + ": " + std::strerror(errno));
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  return result == 0 ? Status::Ok() : IoError(dir + ": fsync: " + std::strerror(error));
}

}  // namespace ketcd
