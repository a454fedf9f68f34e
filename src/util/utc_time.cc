#include "util/utc_time.h"

#include <cstdio>
#include <ctime>

namespace ketcd {
namespace {

std::string Format(int64_t seconds, const char* format) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[64];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

}  // namespace

std::string Rfc3339Utc(int64_t seconds) { return Format(seconds, "%Y-%m-%dT%H:%M:%SZ"); }

std::string Rfc3339MicroUtc(int64_t seconds, int32_t nanos) {
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06d", nanos / 1000);
  return Format(seconds, "%Y-%m-%dT%H:%M:%S") + fraction + "Z";
}

std::string CompactUtc(int64_t seconds) { return Format(seconds, "%Y%m%dT%H%M%SZ"); }

// strftime's %a/%b follow the locale; ketcd never calls setlocale, so "C".
std::string HttpDateUtc(int64_t seconds) { return Format(seconds, "%a, %d %b %Y %H:%M:%S GMT"); }

}  // namespace ketcd
