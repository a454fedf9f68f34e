#include "util/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

// Set by the build (the KETCD_CRASH_POINTS option) for this file only.
#ifndef KETCD_CRASH_POINTS
#define KETCD_CRASH_POINTS 0
#endif

namespace ketcd {

bool CrashPointsCompiled() { return KETCD_CRASH_POINTS != 0; }

void CrashPoint() {
  if (!CrashPointsCompiled()) return;
  static const long target = [] {
    const char* value = std::getenv("KETCD_CRASH_POINT");
    return value == nullptr ? 0L : std::strtol(value, nullptr, 10);
  }();
  static long passed = 0;
  if (target > 0 && ++passed == target) ::kill(::getpid(), SIGKILL);
}

}  // namespace ketcd
