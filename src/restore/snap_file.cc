#include "restore/snap_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "etcd/etcdserver/api/snap/snappb/snap.pb.h"
#include "util/crc32c.h"

namespace ketcd::restore {

Status WriteSnapFile(const std::string& dir, const raftpb::Snapshot& snapshot) {
  const std::string data = snapshot.SerializeAsString();
  Crc32c crc;
  crc.Update(data);
  snappb::snapshot file;
  file.set_crc(crc.value());
  file.set_data(data);
  const std::string bytes = file.SerializeAsString();
  char name[64];
  std::snprintf(name, sizeof name, "/%016llx-%016llx.snap",
                static_cast<unsigned long long>(snapshot.metadata().term()),
                static_cast<unsigned long long>(snapshot.metadata().index()));
  const std::string path = dir + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError(path + ": " + std::strerror(errno));
  const bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                       ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!written) return IoError(path + ": " + std::strerror(error));
  return Status::Ok();
}

}  // namespace ketcd::restore
