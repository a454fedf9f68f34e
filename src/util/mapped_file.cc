#include "util/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ketcd {
namespace {

// The process's resident file-backed (and shared memory) pages, in bytes,
// as /proc/self/statm's third field says; 0 when it cannot be read.
size_t ResidentFileBytes() {
  static const int statm = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (statm < 0) return 0;
  char text[160];
  const ssize_t read = ::pread(statm, text, sizeof text - 1, 0);
  if (read <= 0) return 0;
  text[read] = '\0';
  unsigned long size = 0, resident = 0, shared = 0;
  if (std::sscanf(text, "%lu %lu %lu", &size, &resident, &shared) != 3) return 0;
  return shared * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

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
    return std::unique_ptr<MappedFile>(new MappedFile(nullptr, 0, 0));
  }
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  int error = errno;
  ::close(fd);
  if (data == MAP_FAILED) return IoError(path + ": mmap: " + std::strerror(error));
  // Whole-file scans dominate (status, verify, dump): start reading ahead.
  ::madvise(data, size, MADV_WILLNEED);
  return std::unique_ptr<MappedFile>(new MappedFile(static_cast<const char*>(data), size, ResidentFileBytes()));
}

void MappedFile::Touched(size_t bytes, bool random_access) const {
  if (data_ == nullptr) return;
  if (random_access) bytes = std::max(bytes, kFaultAround);
  if (touched_.fetch_add(bytes, std::memory_order_relaxed) + bytes < kCheckEvery) return;
  const size_t checked = touched_.exchange(0, std::memory_order_relaxed);
  if (const size_t resident = ResidentFileBytes(); resident > 0) {
    if (resident < resident_before_ + kResidentLimit) return;
  } else if (since_dropped_.fetch_add(checked, std::memory_order_relaxed) + checked < kResidentLimit) {
    return;
  }
  since_dropped_.store(0, std::memory_order_relaxed);
  // A shared file mapping: the data stays in the page cache and the next
  // access maps it again (a minor fault), unlike anonymous memory.
  ::madvise(const_cast<char*>(data_), size_, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace ketcd
