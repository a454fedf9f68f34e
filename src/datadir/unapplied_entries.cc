#include "datadir/unapplied_entries.h"

#include "restore/wal_reader.h"

namespace ketcd::datadir {

Result<UnappliedEntries> ReadUnappliedEntries(const std::string& wal_dir, uint64_t applied_index,
                                              bool committed_only) {
  UnappliedEntries read;
  read.applied_index = applied_index;
  std::vector<raftpb::Entry>& entries = read.entries;
  auto scanned = restore::ScanWal(wal_dir, [&](const restore::WalRecord& record) {
    const int size = static_cast<int>(record.data.size());
    if (record.type == restore::kWalState) {
      raftpb::HardState state;
      if (!state.ParseFromArray(record.data.data(), size)) return DataLoss(wal_dir + ": a hard state does not parse");
      if (state.commit() != 0) read.commit_index = state.commit();
      return Status::Ok();
    }
    if (record.type != restore::kWalEntry) return Status::Ok();
    raftpb::Entry entry;
    if (!entry.ParseFromArray(record.data.data(), size)) return DataLoss(wal_dir + ": an entry does not parse");
    // A new leader's entry replaces the tail from its index on.
    while (!entries.empty() && entries.back().index() >= entry.index()) entries.pop_back();
    if (entry.index() > applied_index) entries.push_back(std::move(entry));
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned.status();
  if (scanned->damage && scanned->damage->kind != restore::WalDamage::Kind::kTornTail) {
    return DataLoss(wal_dir + ": " + scanned->damage->Describe() + ": the WAL is corrupt, not recovering from it");
  }
  for (const raftpb::Entry& entry : entries) read.past_commit += entry.index() > read.commit_index ? 1 : 0;
  if (committed_only) {
    while (!entries.empty() && entries.back().index() > read.commit_index) entries.pop_back();
  }
  uint64_t expected = applied_index + 1;
  for (const raftpb::Entry& entry : entries) {
    if (entry.index() != expected) {
      return DataLoss(wal_dir + ": committed entries " + std::to_string(expected) + ".." +
                      std::to_string(entry.index() - 1) + " are not in the WAL (a gap after the applied index " +
                      std::to_string(applied_index) + ")");
    }
    ++expected;
  }
  if (expected <= read.commit_index) {
    return DataLoss(wal_dir + ": committed entries " + std::to_string(expected) + ".." +
                    std::to_string(read.commit_index) + " are not in the WAL (it ends before the commit index)");
  }
  return read;
}

}  // namespace ketcd::datadir
