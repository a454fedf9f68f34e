#include "datadir/defrag.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "restore/backend_copy.h"
#include "snapshot/snapshot_file.h"
#include "util/durable_file.h"

namespace ketcd::datadir {
namespace {

// bbolt's exclusive flock on the db, held while the object lives.
class DbLock {
 public:
  static Result<DbLock> Take(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return IoError(path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) {
        return InvalidArgument(path + ": a running etcd holds it (the db's file lock): stop that etcd first");
      }
      return IoError(path + ": cannot lock: " + std::strerror(error));
    }
    return DbLock(fd);
  }
  DbLock(DbLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DbLock& operator=(DbLock&&) = delete;
  ~DbLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

 private:
  explicit DbLock(int fd) : fd_(fd) {}
  int fd_;
};

int64_t FileSize(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : 0;
}

}  // namespace

Result<DefragResult> DefragDataDir(const std::string& data_dir) {
  auto db_path = snapshot::BackendPathInDataDir(data_dir);
  if (!db_path.ok()) return db_path.status();
  auto lock = DbLock::Take(*db_path);
  if (!lock.ok()) return lock.status();
  DefragResult result;
  result.db_path = *db_path;
  result.bytes_before = FileSize(*db_path);
  const std::string compact = *db_path + ".ketcd-defrag";
  std::remove(compact.c_str());  // left by an interrupted run
  {
    auto source = snapshot::OpenSnapshot(*db_path);
    if (!source.ok()) return source.status();
    KETCD_RETURN_IF_ERROR(restore::CopyBackend(source->db, compact, {}).WithContext(*db_path));
  }
  if (::rename(compact.c_str(), db_path->c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(compact.c_str());
    return IoError(*db_path + ": cannot replace it: " + why);
  }
  KETCD_RETURN_IF_ERROR(SyncDirectoryOf(*db_path));
  result.bytes_after = FileSize(*db_path);
  return result;
}

}  // namespace ketcd::datadir
