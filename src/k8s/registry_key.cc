#include "k8s/registry_key.h"

#include <vector>

namespace ketcd::k8s {

RegistryKey ParseRegistryKey(std::string_view key, std::string_view prefix) {
  if (key.substr(0, prefix.size()) == prefix) key.remove_prefix(prefix.size());
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    parts.push_back(key.substr(start, end - start));
    start = end + 1;
  }
  RegistryKey parsed;
  size_t next = 1;
  // Two-part resource prefixes: API groups contain a dot; core services
  // keep specs and endpoints apart.
  const bool grouped = parts[0].find('.') != std::string_view::npos;
  const bool service_part = parts[0] == "services" && parts.size() > 1 &&
                            (parts[1] == "specs" || parts[1] == "endpoints");
  if ((grouped || service_part) && parts.size() > 1) {
    parsed.resource = std::string(parts[0]) + "/" + std::string(parts[1]);
    next = 2;
  } else {
    parsed.resource = std::string(parts[0]);
  }
  const size_t left = parts.size() - next;
  if (left == 1) {
    parsed.name = std::string(parts[next]);
  } else if (left >= 2) {
    parsed.namespace_ = std::string(parts[next]);
    // Names never hold "/", but keep whatever follows rather than drop it.
    for (size_t i = next + 1; i < parts.size(); ++i) {
      parsed.name += (i > next + 1 ? "/" : "") + std::string(parts[i]);
    }
  }
  return parsed;
}

}  // namespace ketcd::k8s
