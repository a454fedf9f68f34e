// JsonTags: how the API server's Go types print each protobuf field as JSON,
// which the .proto files do not say: the json name (it can differ from the
// proto name: "uID" is "uid"), ",inline" embedding, omitempty, and whether
// the Go field is a pointer (printed even when zero) or a slice/map
// (printed as null when empty and not omitempty). Fields are listed in Go
// struct order, the order of the API server's JSON.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ketcd::k8s {

struct JsonFieldTag {
  int number = 0;
  std::string json_name;  // empty for ",inline"
  bool inline_struct = false;
  bool omitempty = false;
  bool omitzero = false;
  bool pointer = false;
  bool list_or_map = false;
};

class JsonTags {
 public:
  // Parses the table written by tools/go_json_tags.cc; bad lines are skipped.
  static JsonTags Parse(std::string_view table);

  // The fields of a message in Go order, or nullptr when not known.
  const std::vector<JsonFieldTag>* Find(const std::string& message_full_name) const;
  void Set(const std::string& message_full_name, std::vector<JsonFieldTag> fields) {
    by_message_[message_full_name] = std::move(fields);
  }
  size_t size() const { return by_message_.size(); }

 private:
  std::map<std::string, std::vector<JsonFieldTag>, std::less<>> by_message_;
};

}  // namespace ketcd::k8s
