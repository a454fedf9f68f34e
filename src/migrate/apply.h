// Writing a migration plan, and undoing it from its journal.
//
// Apply: per batch of objects, the old values go to the journal (on disk)
// first, then one etcd transaction writes the batch if every object still
// has the mod_revision it was planned at (a moved object also needs its
// new key absent). When a batch's guard fails, its objects are retried one
// by one, so a concurrent change aborts only the objects it touched; they
// are reported. Undo walks the journal backwards and puts each old value
// back where the key still holds the value the migration wrote (guarded by
// the mod_revision read just before), skipping keys already restored and
// reporting keys changed since.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "etcd/client.h"
#include "migrate/cidr_migration.h"
#include "migrate/journal.h"

namespace ketcd::migrate {

struct WriteOptions {
  size_t batch_objects = 50;      // etcd's --max-txn-ops is 128; a move takes 2
  size_t batch_bytes = 1 << 20;   // under etcd's 1.5 MiB request limit
  std::function<void(size_t done, size_t total)> progress;
};

struct WriteConflict {
  std::string key;
  std::string reason;
};

struct WriteReport {
  size_t written = 0;
  size_t skipped = 0;  // undo: already holding the old value
  std::vector<WriteConflict> conflicts;
};

Result<WriteReport> ApplyPlan(etcd::EtcdClient& client, const MigrationPlan& plan,
                              JournalWriter& journal, const WriteOptions& options);

Result<WriteReport> UndoJournal(etcd::EtcdClient& client, const Journal& journal,
                                const WriteOptions& options);

}  // namespace ketcd::migrate
