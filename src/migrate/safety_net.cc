#include "migrate/safety_net.h"

#include "snapshot/save.h"
#include "util/crash_point.h"

namespace ketcd::migrate {

Result<WriteReport> ApplyWithSafetyNet(etcd::EtcdClient& client, const MigrationPlan& plan, const SafetyNet& net) {
  auto note = [&](const std::string& line) {
    if (net.note) net.note(line);
  };
  if (!net.backup_path.empty()) {
    auto member = snapshot::PickSnapshotMember(client);
    if (!member.ok()) return member.status();
    auto saved = snapshot::SaveSnapshot(client, *member, net.backup_path,
                                        [&](uint64_t done, uint64_t total) {
                                          if (net.backup_progress) net.backup_progress(done, total);
                                        });
    if (!saved.ok()) return saved.status().WithContext("backup before writing (--no-backup skips it)");
    note("Backup saved at " + net.backup_path);
    CrashPoint();
  }
  auto journal = JournalWriter::Open(net.journal_path, net.journal_header);
  if (!journal.ok()) return journal.status();
  note("Journal (for `ketcd migrate undo`): " + net.journal_path);
  auto report = ApplyPlan(client, plan, *journal, net.write);
  if (!report.ok()) {
    return report.status().WithContext("writing stopped; run the same command again to finish, or `ketcd migrate undo " +
                                       net.journal_path + "`");
  }
  return report;
}

}  // namespace ketcd::migrate
