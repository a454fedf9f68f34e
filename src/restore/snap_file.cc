#include "restore/snap_file.h"

#include <cstdio>

#include "etcd/etcdserver/api/snap/snappb/snap.pb.h"
#include "util/crc32c.h"
#include "util/durable_file.h"

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
  return WriteFileDurably(dir + name, bytes, 0600);
}

}  // namespace ketcd::restore
