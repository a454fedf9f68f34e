// Member, cluster and lease IDs as etcd prints and keys them: lower-case
// hex, no padding (Go's types.ID.String()).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace ketcd {

inline std::string HexId(uint64_t id) {
  char text[17];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(id));
  return text;
}

}  // namespace ketcd
