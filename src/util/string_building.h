// Building message and flag text by appending. Also what keeps GCC 12 quiet
// at -O2: it misreads a char* put before a temporary std::string
// (`(list.empty() ? "" : ",") + item`, `"\"" + std::string(text)`) as
// copies that overlap (-Wrestrict) or overflow.
#pragma once

#include <string>
#include <string_view>

namespace ketcd {

// Appends `item` to the list `list` ("a,b"), after `separator` unless the
// list is empty.
inline void AppendToList(std::string& list, std::string_view item, std::string_view separator = ",") {
  if (!list.empty()) list += separator;
  list += item;
}

// `text` in double quotes, as messages name what they refuse.
inline std::string Quoted(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted += '"';
  quoted += text;
  quoted += '"';
  return quoted;
}

}  // namespace ketcd
