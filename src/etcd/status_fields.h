// The StatusResponse fields etcd 3.6 added (rpc.proto field 11
// storageVersion, 12 dbSizeQuota, 13 downgradeInfo {1 enabled,
// 2 targetVersion}). The build compiles Debian's etcd 3.5 .proto, which does
// not declare them, so protobuf keeps them as unknown fields: read from
// there. A 3.5 (or older) server sends none of them. (pb:: comes with
// range_reader.h.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "etcd/range_reader.h"

namespace ketcd::etcd {

struct DowngradeInfo {
  bool enabled = false;
  std::string target_version;  // "3.5.0"; empty when none was ever set
};

struct StatusFieldsSince36 {
  std::string storage_version;  // "3.6.0"; empty from a server before 3.6
  int64_t db_size_quota = 0;    // bytes; 0 when not reported
  std::optional<DowngradeInfo> downgrade;  // present when the server sent it (3.6+)
};

StatusFieldsSince36 ReadStatusFieldsSince36(const pb::StatusResponse& status);

}  // namespace ketcd::etcd
