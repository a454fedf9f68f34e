#include "util/utc_time.h"

#include <chrono>
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

void PutDigits(char* at, int value, int digits) {
  for (int i = digits - 1; i >= 0; --i, value /= 10) at[i] = static_cast<char>('0' + value % 10);
}

// "YYYY-MM-DDTHH:MM:SS" into `text` (19 bytes), computed with the calendar
// instead of gmtime_r and strftime: renderers print several timestamps per
// object. False for years outside 0..9999, which strftime prints instead.
bool PutDateTime(int64_t seconds, char* text) {
  using namespace std::chrono;
  const int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  const int64_t second_of_day = seconds - days * 86400;
  if (days < -719528 || days > 2932896) return false;  // 0000-01-01 .. 9999-12-31
  const year_month_day date{sys_days{std::chrono::days{days}}};
  PutDigits(text, static_cast<int>(date.year()), 4);
  text[4] = '-';
  PutDigits(text + 5, static_cast<int>(static_cast<unsigned>(date.month())), 2);
  text[7] = '-';
  PutDigits(text + 8, static_cast<int>(static_cast<unsigned>(date.day())), 2);
  text[10] = 'T';
  PutDigits(text + 11, static_cast<int>(second_of_day / 3600), 2);
  text[13] = ':';
  PutDigits(text + 14, static_cast<int>(second_of_day / 60 % 60), 2);
  text[16] = ':';
  PutDigits(text + 17, static_cast<int>(second_of_day % 60), 2);
  return true;
}

}  // namespace

std::string Rfc3339Utc(int64_t seconds) {
  char text[20];
  if (!PutDateTime(seconds, text)) return Format(seconds, "%Y-%m-%dT%H:%M:%SZ");
  text[19] = 'Z';
  return std::string(text, sizeof text);
}

std::string Rfc3339MicroUtc(int64_t seconds, int32_t nanos) {
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06d", nanos / 1000);
  char text[19];
  if (!PutDateTime(seconds, text)) return Format(seconds, "%Y-%m-%dT%H:%M:%S") + fraction + "Z";
  return std::string(text, sizeof text) + fraction + "Z";
}

std::string Rfc3339MillisUtc(int64_t unix_millis) {
  const int64_t seconds = unix_millis >= 0 ? unix_millis / 1000 : (unix_millis - 999) / 1000;
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(unix_millis - seconds * 1000));
  std::string text = Rfc3339Utc(seconds);
  text.pop_back();  // its "Z"
  return text + fraction;
}

std::string CompactUtc(int64_t seconds) { return Format(seconds, "%Y%m%dT%H%M%SZ"); }

// strftime's %a/%b follow the locale; ketcd never calls setlocale, so "C".
std::string HttpDateUtc(int64_t seconds) { return Format(seconds, "%a, %d %b %Y %H:%M:%S GMT"); }

}  // namespace ketcd
