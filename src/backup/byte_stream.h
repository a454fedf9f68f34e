// Streams of bytes between the stages of a backup (snapshot file ->
// compressor -> encryptor -> destination), so a backup of any size passes
// through bounded memory.
#pragma once

#include <string_view>

#include "util/status.h"

namespace ketcd::backup {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
  // Flushes and completes the stream; no Write after it.
  virtual Status Finish() = 0;
};

}  // namespace ketcd::backup
