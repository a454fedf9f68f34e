#include "k8s/json_tags.h"

#include <algorithm>
#include <charconv>

namespace ketcd::k8s {

JsonTags JsonTags::Parse(std::string_view table) {
  // Read at every start of a decoding command: split in place, no streams.
  JsonTags tags;
  std::vector<JsonFieldTag>* fields = nullptr;  // of the message on the previous line
  std::string_view previous_message;
  while (!table.empty()) {
    const size_t line_end = std::min(table.find('\n'), table.size());
    std::string_view line = table.substr(0, line_end);
    table.remove_prefix(std::min(line_end + 1, table.size()));
    std::string_view words[4];
    size_t count = 0;
    while (count < 4) {
      const size_t start = line.find_first_not_of(" \t\r");
      if (start == std::string_view::npos) break;
      line.remove_prefix(start);
      const size_t word_end = std::min(line.find_first_of(" \t\r"), line.size());
      words[count++] = line.substr(0, word_end);
      line.remove_prefix(word_end);
    }
    JsonFieldTag tag;
    const std::string_view number = words[1];
    if (count < 4 ||
        std::from_chars(number.data(), number.data() + number.size(), tag.number).ptr != number.data() + number.size()) {
      continue;
    }
    const std::string_view flags = words[3];
    tag.json_name = words[2] == "-" ? "" : std::string(words[2]);
    tag.inline_struct = flags.find('i') != std::string_view::npos;
    tag.omitempty = flags.find('o') != std::string_view::npos;
    tag.omitzero = flags.find('z') != std::string_view::npos;
    tag.pointer = flags.find('p') != std::string_view::npos;
    tag.list_or_map = flags.find('l') != std::string_view::npos;
    if (fields == nullptr || words[0] != previous_message) {
      fields = &tags.by_message_[std::string(words[0])];
      previous_message = words[0];
    }
    fields->push_back(std::move(tag));
  }
  return tags;
}

const std::vector<JsonFieldTag>* JsonTags::Find(const std::string& message_full_name) const {
  auto it = by_message_.find(message_full_name);
  return it == by_message_.end() ? nullptr : &it->second;
}

}  // namespace ketcd::k8s
