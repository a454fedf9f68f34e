// JSON text from nlohmann values. Strings from etcd or from stored objects
// may hold invalid UTF-8; like Go's encoding/json, such bytes print as
// U+FFFD instead of failing (nlohmann's default throws).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ketcd {

template <typename JsonType>
std::string JsonText(const JsonType& value, int indent = -1) {
  return value.dump(indent, ' ', false, JsonType::error_handler_t::replace);
}

}  // namespace ketcd
