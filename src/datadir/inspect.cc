#include "datadir/inspect.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "bolt/database.h"
#include "etcd/etcdserver/etcdserverpb/etcdserver.pb.h"
#include "etcd/raft/raftpb/raft.pb.h"
#include "snapshot/backend_layout.h"
#include "snapshot/offline_keyspace.h"
#include "snapshot/verify.h"
#include "util/hex_id.h"
#include "util/string_building.h"

namespace ketcd::datadir {
namespace {

// bbolt holds an exclusive flock on the db while etcd runs.
bool LockedByEtcd(const std::string& db_path) {
  const int fd = ::open(db_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return locked;
}

Status ReadWal(const std::string& wal_dir, DataDirReport& report) {
  auto scanned = restore::ScanWal(wal_dir, [&](const restore::WalRecord& record) {
    const int size = static_cast<int>(record.data.size());
    switch (record.type) {
      case restore::kWalMetadata: {
        etcdserverpb::Metadata metadata;
        if (!metadata.ParseFromArray(record.data.data(), size)) return DataLoss(wal_dir + ": metadata does not parse");
        report.member_id = metadata.nodeid();
        report.cluster_id = metadata.clusterid();
        break;
      }
      case restore::kWalState: {
        raftpb::HardState state;
        if (!state.ParseFromArray(record.data.data(), size)) return DataLoss(wal_dir + ": a hard state does not parse");
        // An empty state (written with a snapshot record) changes nothing.
        if (state.term() != 0 || state.commit() != 0) {
          report.hard_state_term = state.term();
          report.commit_index = state.commit();
        }
        break;
      }
      case restore::kWalEntry: {
        raftpb::Entry entry;
        if (!entry.ParseFromArray(record.data.data(), size)) return DataLoss(wal_dir + ": an entry does not parse");
        // A later entry at a lower index replaces the tail (a new leader's).
        report.last_index = entry.index();
        report.last_term = entry.term();
        break;
      }
      default:
        break;
    }
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned.status();
  report.wal_segments = scanned->segments;
  report.wal_records = scanned->records;
  report.wal_damage = scanned->damage;
  return Status::Ok();
}

Status ReadDb(const std::string& db_path, DataDirReport& report) {
  auto file = snapshot::OpenSnapshot(db_path);
  if (!file.ok()) return file.status();
  auto verified = snapshot::Verify(*file, 5);
  if (!verified.ok()) return verified.status();
  report.db_problems = verified->problems;
  report.db_bytes = static_cast<int64_t>(file->db.size());
  report.free_bytes = static_cast<int64_t>(verified->pages_free * file->db.meta().page_size);
  auto index = bolt::ValueIn(file->db, snapshot::kMetaBucket, "consistent_index");
  if (!index.ok()) return index.status();
  if (index->size() == 8) report.consistent_index = snapshot::ReadBigEndian64(*index);
  if (!report.db_problems.empty()) return Status::Ok();  // no hash of a damaged keyspace
  auto keyspace = snapshot::OfflineKeyspace::Open(db_path);
  if (!keyspace.ok()) return keyspace.status();
  report.revision = (*keyspace)->current_revision();
  report.compacted_revision = (*keyspace)->compacted_revision();
  auto hash = (*keyspace)->HashKv();
  if (!hash.ok()) return hash.status();
  report.hash_kv = hash->hash;
  return Status::Ok();
}

}  // namespace

std::string DataDirReport::Unusable() const {
  if (!db_problems.empty()) return "db " + db_problems.front();
  if (!hash_kv) return "db unreadable";
  if (wal_damage && wal_damage->kind != restore::WalDamage::Kind::kTornTail) return "WAL " + wal_damage->Describe();
  return "";
}

Result<DataDirReport> InspectDataDir(const std::string& dir) {
  DataDirReport report;
  report.dir = dir;
  const std::string member = dir + "/member";
  std::error_code error;
  if (!std::filesystem::is_directory(member, error)) return NotFound(dir + ": not an etcd data dir (no member/)");
  const std::string db_path = member + "/snap/db";
  report.in_use = LockedByEtcd(db_path);
  KETCD_RETURN_IF_ERROR(ReadWal(member + "/wal", report).WithContext(dir));
  KETCD_RETURN_IF_ERROR(ReadDb(db_path, report).WithContext(dir));
  auto membership = restore::ReadDataDirMembership(dir);
  if (!membership.ok()) return membership.status().WithContext(dir);
  report.membership = std::move(*membership);
  for (const auto* members : {&report.membership.backend_members, &report.membership.raft_members}) {
    auto own = members->find(report.member_id);
    if (report.member_name.empty() && own != members->end()) report.member_name = own->second;
  }
  return report;
}

Result<Recommendation> RecommendFreshest(const std::vector<DataDirReport>& reports) {
  if (reports.empty()) return InvalidArgument("no data dir given");
  for (const DataDirReport& report : reports) {
    if (report.cluster_id != reports.front().cluster_id) {
      return InvalidArgument(report.dir + " belongs to cluster " + HexId(report.cluster_id) + ", " +
                                reports.front().dir + " to " + HexId(reports.front().cluster_id) +
                                ": give the dirs of one cluster");
    }
  }
  auto fresher = [](const DataDirReport& a, const DataDirReport& b) {
    return std::make_tuple(a.KnownCommitted(), a.last_index, a.consistent_index) >
           std::make_tuple(b.KnownCommitted(), b.last_index, b.consistent_index);
  };
  std::optional<size_t> best;
  for (size_t i = 0; i < reports.size(); ++i) {
    if (reports[i].Usable() && (!best || fresher(reports[i], reports[*best]))) best = i;
  }
  if (!best) {
    std::string problems;
    for (const DataDirReport& report : reports) {
      AppendToList(problems, report.dir + ": " + report.Unusable(), "; ");
    }
    return Failed("no data dir is usable (" + problems + ")");
  }
  const DataDirReport& chosen = reports[*best];
  std::string why = chosen.dir + ": its log holds committed entries up to index " +
                    std::to_string(chosen.KnownCommitted());
  std::string others;
  for (size_t i = 0; i < reports.size(); ++i) {
    if (i == *best) continue;
    const DataDirReport& other = reports[i];
    AppendToList(others,
                 other.dir + ": " +
                     (other.Usable() ? "committed up to " + std::to_string(other.KnownCommitted())
                                     : "not usable (" + other.Unusable() + ")"),
                 "; ");
  }
  if (!others.empty()) why += " (" + others + ")";
  why += "; its db is sound";
  if (chosen.wal_damage) why += " and its WAL only torn at the end";
  if (chosen.UnappliedCommitted() > 0) {
    why += "; " + std::to_string(chosen.UnappliedCommitted()) + " committed entries are not applied to its db yet";
  }
  return Recommendation{*best, why};
}

}  // namespace ketcd::datadir
