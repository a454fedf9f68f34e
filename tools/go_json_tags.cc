// Build-time tool: extracts from the Kubernetes API's Go sources what the
// .proto files do not say about JSON: each field's json name, ",inline",
// omitempty, omitzero, and whether its Go type is a pointer or a slice/map, in Go
// struct order (the API server's JSON field order).
//
//   go_json_tags SRC_ROOT OUTPUT FILE.go...
//
// FILE.go paths are relative to SRC_ROOT; their directory names the proto
// package (k8s.io/api/core/v1 -> k8s.io.api.core.v1). Output lines:
//   <proto package>.<Struct> <field number> <json name or -> <flags>
// flags: i inline, o omitempty, z omitzero, p pointer, l slice or map ("-"
// for none).
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

namespace {

// The value of key:"..." inside a Go struct tag.
std::string TagValue(const std::string& tag, const std::string& key) {
  const std::string marker = key + ":\"";
  auto start = tag.find(marker);
  if (start == std::string::npos) return "";
  start += marker.size();
  auto end = tag.find('"', start);
  return end == std::string::npos ? "" : tag.substr(start, end - start);
}

void ExtractFile(const std::string& root, const std::string& relative, std::ostream& out) {
  std::ifstream in(root + "/" + relative);
  std::string package = relative.substr(0, relative.rfind('/'));
  for (char& c : package) {
    if (c == '/') c = '.';
  }
  static const std::regex kStructStart(R"(^type\s+(\w+)\s+struct\s*\{\s*$)");
  static const std::regex kField(R"(^\s*(\w+\s+)?([^\s`]+)\s*`([^`]*)`)");
  std::string line, current;
  std::smatch match;
  while (std::getline(in, line)) {
    if (current.empty()) {
      if (std::regex_match(line, match, kStructStart)) current = match[1];
      continue;
    }
    if (line.rfind("}", 0) == 0) {
      current.clear();
      continue;
    }
    if (!std::regex_search(line, match, kField)) continue;
    const std::string type = match[2];
    const std::string tag = match[3];
    const std::string protobuf = TagValue(tag, "protobuf");
    if (protobuf.empty()) continue;  // not on the wire
    std::stringstream parts(protobuf);
    std::string wire, number;
    std::getline(parts, wire, ',');
    std::getline(parts, number, ',');
    const std::string json = TagValue(tag, "json");
    std::string json_name = json.substr(0, json.find(','));
    if (json_name == "-") continue;  // not in JSON
    std::string flags;
    // Go inlines an embedded struct whose tag gives no name: older releases
    // also say ",inline", 1.37 writes json:"".
    const bool embedded = !match[1].matched;
    if (json.find(",inline") != std::string::npos || (embedded && json_name.empty())) flags += 'i';
    if (json.find(",omitempty") != std::string::npos) flags += 'o';
    if (json.find(",omitzero") != std::string::npos) flags += 'z';
    if (!type.empty() && type[0] == '*') flags += 'p';
    if (type.rfind("[]", 0) == 0 || type.rfind("map[", 0) == 0) flags += 'l';
    out << package << "." << current << " " << number << " "
        << (json_name.empty() ? "-" : json_name) << " " << (flags.empty() ? "-" : flags) << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: go_json_tags SRC_ROOT OUTPUT FILE.go...\n";
    return 2;
  }
  std::ofstream out(argv[2]);
  for (int i = 3; i < argc; ++i) ExtractFile(argv[1], argv[i], out);
  return out ? 0 : 1;
}
