// How etcd names members and clusters it bootstraps (etcd's
// membership.NewMember and RaftCluster.genID): a member's ID is the first
// 8 bytes (big-endian) of SHA-1 over its peer URLs, sorted and joined,
// followed by the cluster token; the cluster ID is the same over the
// sorted member IDs as 8-byte big-endian words. A restore must produce
// exactly these IDs for the restored members to recognise each other.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace ketcd::cluster {

inline constexpr const char* kDefaultClusterToken = "etcd-cluster";

// --initial-cluster "name=url,name=url2,other=url": member name -> peer
// URLs (a name may repeat to give several URLs).
Result<std::map<std::string, std::vector<std::string>>> ParseInitialCluster(
    const std::string& text);

uint64_t MemberId(std::vector<std::string> peer_urls, const std::string& cluster_token);
uint64_t ClusterId(std::vector<uint64_t> member_ids);

}  // namespace ketcd::cluster
