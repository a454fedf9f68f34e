#include "util/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

namespace ketcd {

void CrashPoint() {
  static const long target = [] {
    const char* value = std::getenv("KETCD_CRASH_POINT");
    return value == nullptr ? 0L : std::strtol(value, nullptr, 10);
  }();
  static long passed = 0;
  if (target > 0 && ++passed == target) ::kill(::getpid(), SIGKILL);
}

}  // namespace ketcd
