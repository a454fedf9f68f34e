#include "support/data_dir_files.h"

#include <filesystem>

#include "bolt/database.h"
#include "etcd/etcdserver/api/snap/snappb/snap.pb.h"
#include "restore/wal_reader.h"
#include "support/test_files.h"

namespace ketcd::testing {

Result<std::map<std::string, std::string>> BucketEntries(const std::string& db_path,
                                                         const std::string& bucket_name) {
  auto db = bolt::Database::Open(db_path);
  if (!db.ok()) return db.status();
  std::map<std::string, std::string> entries;
  auto bucket = db->Bucket(db->root(), bucket_name);
  if (bucket.status().code() == ErrorCode::kNotFound) return entries;
  if (!bucket.ok()) return bucket.status();
  bolt::Cursor cursor(*db, *bucket);
  for (Status at = cursor.First(); cursor.valid(); at = cursor.Next()) {
    if (!at.ok()) return at;
    entries.emplace(cursor.key(), cursor.value());
  }
  return entries;
}

Result<raftpb::Snapshot> ReadRaftSnapshot(const std::string& data_dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/member/snap")) {
    if (entry.path().extension() == ".snap") files.push_back(entry.path());
  }
  if (files.size() != 1) {
    return Failed(std::to_string(files.size()) + " raft snapshot files in " + data_dir);
  }
  snappb::snapshot file;
  raftpb::Snapshot snapshot;
  if (!file.ParseFromString(ReadFileBytes(files[0])) || !snapshot.ParseFromString(file.data())) {
    return DataLoss("cannot parse " + files[0].string());
  }
  return snapshot;
}

Result<std::vector<walpb::Record>> ReadWalRecords(const std::string& data_dir) {
  std::vector<walpb::Record> records;
  auto scanned = restore::ScanWal(data_dir + "/member/wal", [&](const restore::WalRecord& record) {
    walpb::Record& copy = records.emplace_back();
    copy.set_type(record.type);
    copy.set_crc(record.crc);
    copy.set_data(std::string(record.data));
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned.status();
  if (scanned->damage) return DataLoss(scanned->damage->Describe());
  return records;
}

}  // namespace ketcd::testing
