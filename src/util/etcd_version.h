// etcd release versions as the server, its storage and its cluster report
// them ("3.5.26", "3.6.0", "3.6"), for the rules that depend on them.
#pragma once

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace ketcd {

struct EtcdVersion {
  int major = 0, minor = 0, patch = 0;
};

// "3.N" or "3.N.P"; nullopt for anything else.
inline std::optional<EtcdVersion> ParseEtcdVersion(std::string_view text) {
  EtcdVersion version;
  int* parts[] = {&version.major, &version.minor, &version.patch};
  int parsed = 0;
  for (; parsed < 3 && !text.empty(); ++parsed) {
    const std::string_view part = text.substr(0, text.find('.'));
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), *parts[parsed]);
    if (error != std::errc() || end != part.data() + part.size() || part.empty()) return std::nullopt;
    text.remove_prefix(std::min(text.size(), part.size() + 1));
  }
  if (!text.empty() || parsed < 2 || version.major != 3) return std::nullopt;
  return version;
}

}  // namespace ketcd
