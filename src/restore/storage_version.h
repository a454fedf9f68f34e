// The storage version (meta "storageVersion", etcd 3.6+) a restore writes
// for the etcd that will run the members: see restore.h.
#pragma once

#include <string>

#include "bolt/database.h"
#include "restore/backend_copy.h"
#include "restore/restore.h"
#include "util/etcd_version.h"

namespace ketcd::restore {

// The storage version the target etcd starts from, given `saved` (the
// snapshot's; empty before 3.6), with the edits that write it; refuses what
// that etcd cannot start from.
Result<std::string> MigrateStorageVersion(const bolt::Database& db, const std::string& saved,
                                          const RestoreOptions& options, BackendEdits& edits);

}  // namespace ketcd::restore
