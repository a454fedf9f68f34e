// Writing files that must be complete on disk before anything relies on
// them (restored WAL segments, raft snapshots, saved snapshots, journals,
// backups in a directory).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd {

// Creates `path` (which must not exist) with `content`, extended with zeros
// to `size` bytes when that is larger, and fsyncs it.
Status WriteNewFile(const std::string& path, std::string_view content, mode_t mode,
                    uint64_t size = 0);

// Writes all of `data` to `fd` (short writes and EINTR retried); errors
// name `name`.
Status WriteAll(int fd, std::string_view data, const std::string& name);

// fsyncs the directory holding `path`, so a file created or renamed there
// survives a crash.
Status SyncDirectoryOf(const std::string& path);

}  // namespace ketcd
