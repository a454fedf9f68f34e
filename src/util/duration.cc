#include "util/duration.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace ketcd {

bool ParseGoDuration(const std::string& text, int64_t* nanoseconds) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  if (text.substr(i) == "0") {
    *nanoseconds = 0;
    return true;
  }
  long double total = 0;
  if (i == text.size()) return false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (i == start) return false;
    double number = 0;
    auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, number);
    if (ec != std::errc() || end != text.data() + i) return false;
    size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) &&
           text[i] != '.') {
      ++i;
    }
    const std::string unit = text.substr(unit_start, i - unit_start);
    long double scale;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "µs" || unit == "μs")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      return false;
    total += number * scale;
  }
  *nanoseconds = static_cast<int64_t>(std::llround(negative ? -total : total));
  return true;
}

std::string GoDurationString(int64_t nanoseconds) {
  if (nanoseconds == 0) return "0s";
  const bool negative = nanoseconds < 0;
  uint64_t u =
      negative ? 0 - static_cast<uint64_t>(nanoseconds) : static_cast<uint64_t>(nanoseconds);
  auto fraction = [](uint64_t value, uint64_t unit) {
    std::string text = std::to_string(value / unit);
    uint64_t rest = value % unit;
    if (rest == 0) return text;
    std::string digits = std::to_string(unit + rest).substr(1);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    return text + "." + digits;
  };
  std::string text;
  if (u < 1000) {
    text = std::to_string(u) + "ns";
  } else if (u < 1000000) {
    text = fraction(u, 1000) + "µs";
  } else if (u < 1000000000) {
    text = fraction(u, 1000000) + "ms";
  } else {
    uint64_t hours = u / 3600000000000ULL;
    uint64_t minutes = (u / 60000000000ULL) % 60;
    uint64_t seconds_ns = u % 60000000000ULL;
    if (hours > 0) text += std::to_string(hours) + "h";
    if (hours > 0 || minutes > 0) text += std::to_string(minutes) + "m";
    text += fraction(seconds_ns, 1000000000) + "s";
  }
  return negative ? "-" + text : text;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  int64_t nanoseconds = 0;
  if (!ParseGoDuration(std::string(text), &nanoseconds) || nanoseconds < 0 ||
      text.find_first_of("+-") != std::string_view::npos || text == "0") {
    return InvalidArgument("invalid duration \"" + std::string(text) +
                           "\" (expected e.g. 500ms, 2s, 1m)");
  }
  return std::chrono::milliseconds((nanoseconds + 500000) / 1000000);
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  if (ms > 1000) {
    std::string s = std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
    while (s.back() == '0') s.pop_back();
    return s + "s";
  }
  return std::to_string(ms) + "ms";
}

}  // namespace ketcd
