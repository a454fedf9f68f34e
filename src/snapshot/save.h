// snapshot save: a member's backend streamed to a file, never held whole in
// memory. The stream goes to FILE.part, its SHA-256 trailer is checked, the
// file is fsynced and only then renamed to FILE, so an interrupted or
// corrupt save never leaves a file under the final name.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "etcd/client.h"

namespace ketcd::snapshot {

struct SaveResult {
  uint64_t bytes = 0;  // written, trailer included
};

// `path` "-" streams to stdout (the trailer is still checked, at the end).
// `progress` gets the bytes received so far and the expected total; `tee`,
// when set, every chunk as it arrives (before the trailer is checked).
Result<SaveResult> SaveSnapshot(etcd::EtcdClient& client, size_t endpoint, const std::string& path,
                                const std::function<void(uint64_t, uint64_t)>& progress,
                                const std::function<void(std::string_view)>& tee = nullptr);

// The member to stream from: the only endpoint, else the leader, else the
// first that answers.
Result<size_t> PickSnapshotMember(etcd::EtcdClient& client);

}  // namespace ketcd::snapshot
