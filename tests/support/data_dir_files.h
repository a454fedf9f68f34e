// Reads the files of a member data dir (bbolt buckets, the raft snapshot,
// the WAL's records) so that tests can compare what ketcd's restore writes
// with what each version's etcdutl writes, field by field.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "etcd/raft/raftpb/raft.pb.h"
#include "etcd/wal/walpb/record.pb.h"
#include "util/status.h"

namespace ketcd::testing {

// Every key and value of a top-level bucket of the bbolt file; empty when
// the bucket does not exist.
Result<std::map<std::string, std::string>> BucketEntries(const std::string& db_path,
                                                         const std::string& bucket);

// The raft snapshot of DATA_DIR/member/snap/*.snap (there must be one).
Result<raftpb::Snapshot> ReadRaftSnapshot(const std::string& data_dir);

// The records of DATA_DIR/member/wal (restore/wal_reader.h).
Result<std::vector<walpb::Record>> ReadWalRecords(const std::string& data_dir);

}  // namespace ketcd::testing
