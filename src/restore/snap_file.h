// A raft snapshot file as etcd's snap.Snapshotter.SaveSnap writes it:
// DIR/<term>-<index>.snap (16 hex digits each) holding snappb.snapshot
// {crc = CRC-32C of data, data = the raftpb.Snapshot}.
#pragma once

#include <string>

#include "etcd/raft/raftpb/raft.pb.h"
#include "util/status.h"

namespace ketcd::restore {

Status WriteSnapFile(const std::string& dir, const raftpb::Snapshot& snapshot);

}  // namespace ketcd::restore
