#include "util/durable_file.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace ketcd {
namespace {

std::string ErrnoText(const std::string& name) { return name + ": " + std::strerror(errno); }

// rename(2) that refuses to replace `to`; link+unlink where the file
// system has no RENAME_NOREPLACE.
int RenameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (::link(from.c_str(), to.c_str()) != 0) return -1;
  return ::unlink(from.c_str());
}

// A part an interrupted run of ours left: a plain file of this user with
// one link. Anything else (a symlink, a hard link, another user's file) may
// have been placed to make us write somewhere else.
bool IsOwnLeftover(const std::string& part) {
  struct stat info {};
  return ::lstat(part.c_str(), &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == ::geteuid() &&
         info.st_nlink == 1;
}

}  // namespace

Result<DurableFile> DurableFile::Create(const std::string& path, mode_t mode, Existing existing) {
  if (existing == Existing::kRefuse && ::access(path.c_str(), F_OK) == 0) {
    return IoError(path + ": exists already");
  }
  const std::string part = path + ".part";
  int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0 && errno == EEXIST && IsOwnLeftover(part)) {
    ::unlink(part.c_str());
    fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  }
  if (fd < 0 && errno == EEXIST) {
    return IoError(part + ": exists and is not a file of ours (a link, or another user's): refused");
  }
  if (fd < 0) return IoError(ErrnoText(part));
  return DurableFile(fd, path, existing);
}

DurableFile::DurableFile(int fd, std::string path, Existing existing)
    : fd_(fd), path_(std::move(path)), part_(path_ + ".part"), existing_(existing) {}

DurableFile::DurableFile(DurableFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      part_(std::move(other.part_)),
      existing_(other.existing_) {}

DurableFile::~DurableFile() { Abandon(); }

void DurableFile::Abandon() {
  if (fd_ < 0) return;
  ::close(std::exchange(fd_, -1));
  ::unlink(part_.c_str());
}

Status DurableFile::Write(std::string_view bytes) {
  if (fd_ < 0) return Internal(part_ + ": written after it was closed");
  Status status = WriteAll(fd_, bytes, part_);
  if (!status.ok()) Abandon();
  return status;
}

Status DurableFile::Resize(uint64_t size) {
  if (fd_ < 0) return Internal(part_ + ": resized after it was closed");
  if (::ftruncate(fd_, static_cast<off_t>(size)) == 0) return Status::Ok();
  Status status = IoError(ErrnoText(part_));
  Abandon();
  return status;
}

Status DurableFile::Commit() {
  if (fd_ < 0) return Internal(part_ + ": committed after it was closed");
  if (::fsync(fd_) != 0) {
    Status status = IoError(part_ + ": fsync: " + std::strerror(errno));
    Abandon();
    return status;
  }
  const int fd = std::exchange(fd_, -1);
  const bool closed = ::close(fd) == 0;
  const int renamed = !closed ? -1
                      : existing_ == Existing::kReplace ? ::rename(part_.c_str(), path_.c_str())
                                                         : RenameNoReplace(part_, path_);
  if (renamed != 0) {
    Status status = IoError(ErrnoText(path_));
    ::unlink(part_.c_str());
    return status;
  }
  return SyncDirectoryOf(path_);
}

Status WriteFileDurably(const std::string& path, std::string_view content, mode_t mode,
                        DurableFile::Existing existing) {
  auto file = DurableFile::Create(path, mode, existing);
  if (!file.ok()) return file.status();
  KETCD_RETURN_IF_ERROR(file->Write(content));
  return file->Commit();
}

namespace {

// Copies all of `in` to `out` inside the kernel: a reflink where the file
// system shares extents (btrfs, XFS), else copy_file_range. False when
// neither is available here; the caller then copies through a buffer.
bool CopyInKernel(int in, int out, Status* status, const std::string& name) {
  if (::ioctl(out, FICLONE, in) == 0) return true;
  struct stat info;
  if (::fstat(in, &info) != 0) {
    *status = IoError(ErrnoText(name));
    return true;
  }
  for (off_t left = info.st_size; left > 0;) {
    const ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && left == info.st_size && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
      return false;  // nothing copied yet: the buffered copy takes over
    }
    if (n <= 0) {
      *status = IoError(n < 0 ? ErrnoText(name) : name + ": file shrank while copied");
      return true;
    }
    left -= n;
  }
  return true;
}

}  // namespace

Status CopyFileDurably(const std::string& from, const std::string& to, mode_t mode) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return IoError(ErrnoText(from));
  auto file = DurableFile::Create(to, mode);
  Status status = file.status();
  if (status.ok() && !CopyInKernel(in, file->fd(), &status, to)) {
    std::string buffer(1 << 20, '\0');
    while (status.ok()) {
      const ssize_t n = ::read(in, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) status = IoError(ErrnoText(from));
      if (n <= 0) break;
      status = file->Write(std::string_view(buffer.data(), static_cast<size_t>(n)));
    }
  }
  ::close(in);
  return status.ok() ? file->Commit() : status;
}

Status RenameDurably(const std::string& from, const std::string& to) {
  if (RenameNoReplace(from, to) != 0) return IoError(ErrnoText(to));
  KETCD_RETURN_IF_ERROR(SyncDirectoryOf(to));
  const auto from_dir = std::filesystem::path(from).parent_path();
  if (from_dir != std::filesystem::path(to).parent_path()) KETCD_RETURN_IF_ERROR(SyncDirectoryOf(from));
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::string& name) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError(name + ": " + std::strerror(n == 0 ? EIO : errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectoryOf(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(ErrnoText(dir));
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  return result == 0 ? Status::Ok() : IoError(dir + ": fsync: " + std::strerror(error));
}

}  // namespace ketcd
