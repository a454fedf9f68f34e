// Reads the records of a member's write-ahead log (every DIR/*.wal segment
// in name order, one segment in memory at a time), the format wal_writer.h
// describes. Read-only, for inspecting a data dir: a zero frame or a record
// cut short ends a segment (a torn tail, as etcd's repair would drop it);
// CRCs are not checked.
#pragma once

#include <functional>
#include <string>

#include "etcd/wal/walpb/record.pb.h"
#include "util/status.h"

namespace ketcd::restore {

// Calls `visit` with each record in order; a failed Status from it stops.
Status ForEachWalRecord(const std::string& wal_dir,
                        const std::function<Status(const walpb::Record&)>& visit);

}  // namespace ketcd::restore
