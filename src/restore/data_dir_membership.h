// What a stopped member's data dir says about the cluster's membership,
// read offline from both places etcd keeps it:
//   raft  the v2 store in the newest raft snapshot (member/snap/*.snap,
//         "/0/members/ID") updated by the ConfChange entries the WAL holds
//         after that snapshot: what etcd 3.5 serves and replicates;
//   db    the backend's "members" / "members_removed" buckets: what etcd 3.6
//         reads membership from, and 3.7 also its raft ConfState.
// A member in one and not the other (etcd issue 19557: members that linger
// in one store) breaks an upgrade to 3.6; anything the v2 store holds
// outside /0 (v2 API keys) is dropped by 3.6+, which no longer load it.
// etcd 3.7 can no longer replay v2 requests (written by 3.5) from the WAL
// after the newest raft snapshot: it panics ("unmarshal should never
// fail") until 3.6 has taken a snapshot past them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace ketcd::restore {

struct DataDirMembership {
  std::map<uint64_t, std::string> raft_members;     // ID -> name (when known)
  std::map<uint64_t, std::string> backend_members;  // ID -> name
  uint64_t snapshot_index = 0;                      // of the newest raft snapshot; 0: none
  std::vector<std::string> v2_custom_paths;         // v2 store files outside /0
  uint64_t v2_requests_after_snapshot = 0;          // WAL entries 3.7 cannot replay
  std::string storage_version;                      // meta "storageVersion"; empty before 3.6
  std::string cluster_version;                      // "cluster" bucket "clusterVersion"
};

Result<DataDirMembership> ReadDataDirMembership(const std::string& data_dir);

}  // namespace ketcd::restore
