// Finding a member in a member list by what an operator types: its hex ID
// (as etcdctl prints it) or its name.
#pragma once

#include <cstdint>
#include <string>

#include "etcd/client.h"

namespace ketcd::etcd {

// A name wins over a hex reading, since a name like "abc" is also valid hex.
// kNotFound names the reference and the members that exist.
Result<uint64_t> ResolveMemberId(const pb::MemberListResponse& members, const std::string& ref);

// Parses a member ID written in hex ("8e9e05c52164694d").
Result<uint64_t> ParseMemberId(const std::string& hex);

}  // namespace ketcd::etcd
