#include "k8s/registry_key.h"

#include <algorithm>

namespace ketcd::k8s {

RegistryKey ParseRegistryKey(std::string_view key, std::string_view prefix) {
  if (key.substr(0, prefix.size()) == prefix) key.remove_prefix(prefix.size());
  // Where the part starting at `from` ends.
  auto part_end = [key](size_t from) { return std::min(key.find('/', from), key.size()); };
  RegistryKey parsed;
  size_t resource_end = part_end(0);
  const std::string_view first = key.substr(0, resource_end);
  if (resource_end < key.size()) {
    // Two-part resource prefixes: API groups contain a dot; core services
    // keep specs and endpoints apart.
    const size_t second_end = part_end(resource_end + 1);
    const std::string_view second = key.substr(resource_end + 1, second_end - resource_end - 1);
    if (first.find('.') != std::string_view::npos ||
        (first == "services" && (second == "specs" || second == "endpoints"))) {
      resource_end = second_end;
    }
  }
  parsed.resource = key.substr(0, resource_end);
  if (resource_end == key.size()) return parsed;
  const std::string_view rest = key.substr(resource_end + 1);
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    parsed.name = rest;
  } else {
    // Names never hold "/", but keep whatever follows rather than drop it.
    parsed.namespace_ = rest.substr(0, slash);
    parsed.name = rest.substr(slash + 1);
  }
  return parsed;
}

std::string ResourcePrefixOf(std::string_view key) {
  const size_t root_end = key.empty() || key[0] != '/' ? std::string_view::npos : key.find('/', 1);
  if (root_end == std::string_view::npos) return "";
  const RegistryKey parsed = ParseRegistryKey(key, key.substr(0, root_end + 1));
  if (parsed.namespace_.empty() && parsed.name.empty()) return "";
  return std::string(key.substr(0, root_end + 1 + parsed.resource.size() + 1));
}

}  // namespace ketcd::k8s
