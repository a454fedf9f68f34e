// Reading a whole small file (keys, certificates, state files, journals,
// configs) into memory.
#pragma once

#include <string>

#include "util/status.h"

namespace ketcd {

// kIo "PATH: <reason>" when the file cannot be opened or read.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace ketcd
