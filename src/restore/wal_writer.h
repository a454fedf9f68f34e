// The first segment of a member's write-ahead log, as etcd's wal.Create and
// WAL.Save write it (etcd wal/wal.go, wal/encoder.go):
//   file   DIR/0000000000000000-0000000000000000.wal, preallocated to 64 MB
//          of zeros (a zero length frame ends the log);
//   frame  u64 little-endian length of the record (top byte 0x80|pad when
//          padded to 8 bytes), the walpb.Record, the padding;
//   record {type, crc, data}: types metadata 1, entry 2, state 3, crc 4,
//          snapshot 5 (restore/wal_reader.h's WalRecordType); crc is the
//          CRC-32C of every record's data so far.
// The directory is written as DIR.tmp and renamed, as etcd does.
#pragma once

#include <string>
#include <vector>

#include "etcd/etcdserver/etcdserverpb/etcdserver.pb.h"
#include "etcd/raft/raftpb/raft.pb.h"
#include "etcd/wal/walpb/record.pb.h"
#include "util/status.h"

namespace ketcd::restore {

inline constexpr uint64_t kWalSegmentBytes = 64 * 1000 * 1000;

struct InitialWal {
  etcdserverpb::Metadata metadata;  // this member's ID and the cluster ID
  std::vector<raftpb::Entry> entries;
  raftpb::HardState state;
  walpb::Snapshot snapshot;  // the raft snapshot the log starts from
};

// Writes `dir` (which must not exist).
Status WriteInitialWal(const std::string& dir, const InitialWal& wal);

}  // namespace ketcd::restore
