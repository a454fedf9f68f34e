#include "etcd/member_lookup.h"

#include "util/string_building.h"

#include <charconv>
#include <cstdio>

namespace ketcd::etcd {

Result<uint64_t> ParseMemberId(const std::string& hex) {
  uint64_t id = 0;
  auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), id, 16);
  if (hex.empty() || ec != std::errc() || ptr != hex.data() + hex.size()) {
    return InvalidArgument(Quoted(hex) + " is not a member ID (hex) or name");
  }
  return id;
}

Result<uint64_t> ResolveMemberId(const pb::MemberListResponse& members, const std::string& ref) {
  for (const auto& member : members.members()) {
    if (!member.name().empty() && member.name() == ref) return member.id();
  }
  auto id = ParseMemberId(ref);
  if (!id.ok()) return id.status();
  std::string known;
  for (const auto& member : members.members()) {
    if (member.id() == *id) return *id;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(member.id()));
    known += std::string(known.empty() ? "" : ", ") + hex +
             (member.name().empty() ? "" : " (" + member.name() + ")");
  }
  return NotFound("no member \"" + ref + "\" in the cluster; members: " + known);
}

}  // namespace ketcd::etcd
