// Zip archives as RKE and k3s/RKE2 write compressed snapshots, for tests:
// local headers and data, the central directory and its end record (the
// ZIP application note's layout), stored or deflated.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ketcd::testing {

struct ZipMember {
  std::string name, content;
};

// `damage`, when given, changes each member's data as written (the headers
// still describe the original).
std::string ZipOf(const std::vector<ZipMember>& members, bool deflated,
                  const std::function<void(std::string&)>& damage = nullptr);

}  // namespace ketcd::testing
