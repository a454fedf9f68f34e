// Exit codes of ketcd, documented in README.md. Scripts rely on them.
#pragma once

#include "util/status.h"

namespace ketcd::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the operation ran and failed
inline constexpr int kExitUsage = 2;        // bad flags, arguments or input files
inline constexpr int kExitUnreachable = 3;  // cannot connect or authenticate

inline int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk:
      return kExitOk;
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kUnavailable:
    case ErrorCode::kUnauthenticated:
      return kExitUnreachable;
    default:
      return kExitFailed;
  }
}

}  // namespace ketcd::cli
