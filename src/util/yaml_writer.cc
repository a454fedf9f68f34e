#include "util/yaml_writer.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <vector>

#include "util/json_text.h"

namespace ketcd {
namespace {

using Json = nlohmann::ordered_json;

// Plain scalars a YAML 1.1 reader would not read back as the same string.
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const std::regex kSpecialWord(
      "^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
      "null|Null|NULL|~)$");
  static const std::regex kNumberLike(
      R"(^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^[-+]?0x[0-9a-fA-F_]+$|)"
      R"(^[-+]?0o?[0-7_]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$|^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$)");
  static const std::regex kTimestampLike(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$)");
  if (std::regex_match(s, kSpecialWord) || std::regex_match(s, kNumberLike) ||
      std::regex_match(s, kTimestampLike)) {
    return true;
  }
  const char first = s.front();
  if (std::string("-?:,[]{}#&*!|>'\"%@`").find(first) != std::string::npos) {
    // "-x" and "?x" and ":x" are plain when followed by a non-space.
    if (!((first == '-' || first == '?' || first == ':') && s.size() > 1 && s[1] != ' ')) {
      return true;
    }
  }
  if (s.front() == ' ' || s.back() == ' ') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (s.back() == ':') return true;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string DoubleQuoted(const std::string& s) {
  // JSON string syntax is valid YAML double-quoted syntax.
  return JsonText(Json(s));
}

std::string Scalar(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    return NeedsQuotes(s) ? DoubleQuoted(s) : s;
  }
  return JsonText(value);
}

bool IsBlockString(const Json& value) {
  if (!value.is_string()) return false;
  const auto& s = value.get_ref<const std::string&>();
  if (s.find('\n') == std::string::npos) return false;
  // Literal blocks cannot carry trailing spaces or control characters.
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || (c == ' ' && (i + 1 == s.size() || s[i + 1] == '\n'))) {
      return false;
    }
  }
  return s.front() != ' ' && s.front() != '\n';
}

void Write(const Json& value, int indent, std::string& out);

// "key: value" lines; nested maps indent by two, lists do not (yaml.v2).
void WriteMapEntries(const Json& map, int indent, std::string& out) {
  std::vector<std::string> keys;
  for (const auto& [key, item] : map.items()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    const Json& item = map.at(key);
    out += std::string(indent, ' ') + Scalar(Json(key)) + ":";
    if (item.is_object() && !item.empty()) {
      out += "\n";
      WriteMapEntries(item, indent + 2, out);
    } else if (item.is_array() && !item.empty()) {
      out += "\n";
      Write(item, indent, out);
    } else if (IsBlockString(item)) {
      const auto& s = item.get_ref<const std::string&>();
      const bool final_newline = s.back() == '\n';
      out += final_newline ? " |\n" : " |-\n";
      size_t start = 0;
      std::string body = final_newline ? s.substr(0, s.size() - 1) : s;
      while (start <= body.size()) {
        size_t end = body.find('\n', start);
        if (end == std::string::npos) end = body.size();
        std::string line = body.substr(start, end - start);
        out += (line.empty() ? "" : std::string(indent + 2, ' ') + line) + "\n";
        start = end + 1;
      }
    } else {
      out += " ";
      Write(item, indent, out);
    }
  }
}

void Write(const Json& value, int indent, std::string& out) {
  if (value.is_object()) {
    if (value.empty()) {
      out += "{}\n";
      return;
    }
    WriteMapEntries(value, indent, out);
  } else if (value.is_array()) {
    if (value.empty()) {
      out += "[]\n";
      return;
    }
    for (const auto& item : value) {
      out += std::string(indent, ' ') + "-";
      if (item.is_object() && !item.empty()) {
        // The first entry shares the dash's line.
        std::string nested;
        WriteMapEntries(item, indent + 2, nested);
        out += " " + nested.substr(static_cast<size_t>(indent + 2));
      } else if (item.is_array() && !item.empty()) {
        std::string nested;
        Write(item, indent + 2, nested);
        out += " " + nested.substr(static_cast<size_t>(indent + 2));
      } else {
        out += " ";
        Write(item, indent + 2, out);
      }
    }
  } else {
    out += Scalar(value) + "\n";
  }
}

}  // namespace

std::string ToKubectlYaml(const Json& document) {
  std::string out;
  Write(document, 0, out);
  return out;
}

}  // namespace ketcd
