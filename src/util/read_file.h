// Reading a whole small file (keys, certificates, state files, journals,
// configs) into memory.
#pragma once

#include <string>

#include "util/status.h"

namespace ketcd {

// kIo "PATH: <reason>" when the file cannot be opened or read.
Result<std::string> ReadWholeFile(const std::string& path);

// The same for a file holding a secret (an encryption key, a store's
// credential): kInvalidArgument "PATH: readable by others; chmod 600 it"
// when its group or others may read or write it.
Result<std::string> ReadPrivateFile(const std::string& path);

}  // namespace ketcd
