// Writing a migration plan with its safety net, in this order: a snapshot
// of the cluster (unless the caller skips it), the undo journal opened,
// then the guarded writes (apply.h). A failure stops the steps after it,
// and a crash between any two (crash points mark them) leaves what a re-run
// of the same migration or `migrate undo JOURNAL` repairs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "etcd/client.h"
#include "migrate/apply.h"
#include "migrate/cidr_migration.h"
#include "migrate/journal.h"

namespace ketcd::migrate {

struct SafetyNet {
  std::string backup_path;  // empty: no snapshot first
  std::string journal_path;
  JournalHeader journal_header;
  WriteOptions write;
  std::function<void(uint64_t done, uint64_t total)> backup_progress;
  // Told each step as it completes ("Backup saved at PATH", the journal
  // to undo with), so a caller can print them as they happen.
  std::function<void(const std::string& line)> note;
};

// What the writes did; an error says which step stopped and how to go on.
Result<WriteReport> ApplyWithSafetyNet(etcd::EtcdClient& client, const MigrationPlan& plan, const SafetyNet& net);

}  // namespace ketcd::migrate
