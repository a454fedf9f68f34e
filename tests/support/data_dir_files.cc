#include "support/data_dir_files.h"

#include <filesystem>

#include "bolt/database.h"
#include "etcd/etcdserver/api/snap/snappb/snap.pb.h"
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
  const std::string path = data_dir + "/member/wal/0000000000000000-0000000000000000.wal";
  const std::string bytes = ReadFileBytes(path);
  std::vector<walpb::Record> records;
  size_t at = 0;
  while (at + 8 <= bytes.size()) {
    uint64_t frame = 0;
    for (int i = 7; i >= 0; --i) frame = frame << 8 | static_cast<uint8_t>(bytes[at + i]);
    if (frame == 0) return records;
    const uint64_t length = frame & ((uint64_t{1} << 56) - 1);
    const uint64_t padding = (frame >> 63) ? (frame >> 56) & 0x7 : 0;
    if (at + 8 + length > bytes.size()) return DataLoss(path + ": torn record");
    walpb::Record record;
    if (!record.ParseFromString(bytes.substr(at + 8, length))) {
      return DataLoss(path + ": cannot parse a record");
    }
    records.push_back(std::move(record));
    at += 8 + length + padding;
  }
  return DataLoss(path + ": no end of log");
}

}  // namespace ketcd::testing
