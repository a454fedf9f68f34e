// Go-style durations ("500ms", "2s", "1m30s"), the syntax etcdctl's timeout
// flags take.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "2s", "1.5s", "250ms": the shortest exact spelling, for messages.
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace ketcd
