// Writing a file that must be complete on disk before anything relies on
// it (restored WAL segments, raft snapshots).
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

}  // namespace ketcd
