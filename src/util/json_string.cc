#include "util/json_string.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "util/json_text.h"

namespace ketcd {
namespace {

// The length of the well-formed UTF-8 sequence at `p` (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0. nlohmann's
// decoder accepts exactly these.
size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  const unsigned char lead = p[0];
  auto continuation = [&](size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
    return p + i < end && p[i] >= low && p[i] <= high;
  };
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead == 0xE0) return continuation(1, 0xA0) && continuation(2) ? 3 : 0;
  if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
    return continuation(1) && continuation(2) ? 3 : 0;
  }
  if (lead == 0xED) return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0;
  if (lead == 0xF0) return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0;
  if (lead >= 0xF1 && lead <= 0xF3) {
    return continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
  }
  if (lead == 0xF4) return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0;
  return 0;
}

bool IsJsonStructural(char c) {
  return c == '"' || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':';
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  const size_t start = out.size();
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Runs of bytes that need no escape are copied at once.
    const unsigned char* run = p;
    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') ++p;
    out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
    if (p == end) break;
    const unsigned char c = *p;
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(p, end);
      if (length == 0) {
        // Malformed UTF-8: nlohmann's replacement rules decide, as for
        // every value the DOM renderer prints.
        out.resize(start);
        out += JsonText(nlohmann::json(std::string(text)));
        return;
      }
      out.append(reinterpret_cast<const char*>(p), length);
      p += length;
      continue;
    }
    out.push_back('\\');
    switch (c) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '\b': out.push_back('b'); break;
      case '\t': out.push_back('t'); break;
      case '\n': out.push_back('n'); break;
      case '\f': out.push_back('f'); break;
      case '\r': out.push_back('r'); break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
      }
    }
    ++p;
  }
  out.push_back('"');
}

size_t JsonStringEnd(std::string_view text, size_t quote) {
  for (size_t close = quote + 1;; ++close) {
    close = text.find('"', close);
    if (close == std::string_view::npos) return close;
    size_t backslashes = 0;
    while (text[close - 1 - backslashes] == '\\') ++backslashes;  // stops at the opening quote
    if (backslashes % 2 == 0) return close + 1;
  }
}

void AppendJsonLineBreak(std::string& out, int level) {
  // A line break and the indentation of up to 64 levels, appended as one piece.
  static const std::string kBreak = "\n" + std::string(4 * 64, ' ');
  const size_t spaces = 4 * static_cast<size_t>(std::max(level, 0));
  if (spaces < kBreak.size()) {
    out.append(kBreak, 0, spaces + 1);
  } else {
    out += '\n';
    out.append(spaces, ' ');
  }
}

void AppendJsonInLayout(std::string& out, std::string_view compact, JsonLayout layout) {
  if (layout.indented) {
    AppendIndentedJson(out, compact, layout.level);
  } else {
    out.append(compact);
  }
}

void AppendIndentedJson(std::string& out, std::string_view compact, int level) {
  int depth = level;
  const char* p = compact.data();
  const char* const end = p + compact.size();
  while (p < end) {
    // Numbers, true, false and null are copied as they are, a run at a time.
    const char* run = p;
    while (p < end && !IsJsonStructural(*p)) ++p;
    out.append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    switch (*p) {
      case '"': {
        // The string through its closing quote; not closed: the rest as it is.
        const size_t at = static_cast<size_t>(p - compact.data());
        const size_t string_end = std::min(JsonStringEnd(compact, at), compact.size());
        out.append(compact.substr(at, string_end - at));
        p = compact.data() + string_end;
        continue;
      }
      case '{':
      case '[':
        out += *p;
        if (p + 1 < end && (p[1] == '}' || p[1] == ']')) {
          out += *++p;  // empty: "{}" and "[]" stay on one line
        } else {
          AppendJsonLineBreak(out, ++depth);
        }
        break;
      case '}':
      case ']':
        AppendJsonLineBreak(out, --depth);
        out += *p;
        break;
      case ',':
        out += ',';
        AppendJsonLineBreak(out, depth);
        break;
      case ':':
        out += ": ";
        break;
    }
    ++p;
  }
}

void AppendJsonInteger(std::string& out, int64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void AppendJsonUnsigned(std::string& out, uint64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void AppendJsonDouble(std::string& out, double value) {
  out += nlohmann::json(value).dump();
}

}  // namespace ketcd
