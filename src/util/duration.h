// Go-style durations ("500ms", "2s", "1m30s"), the syntax etcdctl's timeout
// flags take.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd {

// Go duration syntax ("1h2m3.5s", "250ms", "-1m0s", "0") to nanoseconds.
bool ParseGoDuration(const std::string& text, int64_t* nanoseconds);
// Go's time.Duration.String() of a nanosecond count: "1h2m3.5s", "250ms".
std::string GoDurationString(int64_t nanoseconds);

// A positive duration for timeouts, in milliseconds.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "2s", "1.5s", "250ms": the shortest exact spelling, for messages.
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace ketcd
