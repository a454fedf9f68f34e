#include "k8s/json_tags.h"

#include <sstream>

namespace ketcd::k8s {

JsonTags JsonTags::Parse(std::string_view table) {
  JsonTags tags;
  std::istringstream in{std::string(table)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string message, name, flags;
    JsonFieldTag tag;
    if (!(fields >> message >> tag.number >> name >> flags)) continue;
    tag.json_name = name == "-" ? "" : name;
    tag.inline_struct = flags.find('i') != std::string::npos;
    tag.omitempty = flags.find('o') != std::string::npos;
    tag.omitzero = flags.find('z') != std::string::npos;
    tag.pointer = flags.find('p') != std::string::npos;
    tag.list_or_map = flags.find('l') != std::string::npos;
    tags.by_message_[message].push_back(std::move(tag));
  }
  return tags;
}

const std::vector<JsonFieldTag>* JsonTags::Find(const std::string& message_full_name) const {
  auto it = by_message_.find(message_full_name);
  return it == by_message_.end() ? nullptr : &it->second;
}

}  // namespace ketcd::k8s
