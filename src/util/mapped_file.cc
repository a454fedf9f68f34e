#include "util/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ketcd {

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path + ": " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    return IoError(path + ": " + std::strerror(error));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return InvalidArgument(path + ": not a regular file");
  }
  const size_t size = static_cast<size_t>(info.st_size);
  if (size == 0) {
    ::close(fd);
    return std::unique_ptr<MappedFile>(new MappedFile(nullptr, 0));
  }
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  int error = errno;
  ::close(fd);
  if (data == MAP_FAILED) return IoError(path + ": mmap: " + std::strerror(error));
  // Whole-file scans dominate (status, verify, dump): start reading ahead.
  ::madvise(data, size, MADV_WILLNEED);
  return std::unique_ptr<MappedFile>(new MappedFile(static_cast<const char*>(data), size));
}

void MappedFile::Touched(size_t bytes, bool random_access) const {
  if (data_ == nullptr) return;
  if (random_access) bytes = std::max(bytes, kFaultAround);
  if (touched_.fetch_add(bytes, std::memory_order_relaxed) + bytes < kResidentLimit) return;
  touched_.store(0, std::memory_order_relaxed);
  // A shared file mapping: the data stays in the page cache and the next
  // access maps it again (a minor fault), unlike anonymous memory.
  ::madvise(const_cast<char*>(data_), size_, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace ketcd
