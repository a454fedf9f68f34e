// The members of a cluster being bootstrapped from a restore, and how etcd
// records them: the JSON of membership.Member (raft ConfChange contexts,
// the backend's "members" bucket) and etcd's v2 store, whose JSON is the
// data of the raft snapshot a restored member starts from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace ketcd::restore {

struct Member {
  uint64_t id = 0;
  std::string name;
  std::vector<std::string> peer_urls;  // sorted
  bool learner = false;
};

// The members of --initial-cluster with their IDs, sorted by ID (the order
// etcd adds them in); those named in `learners` are learners. At least one
// member must be a voter.
Result<std::vector<Member>> MembersOf(const std::string& initial_cluster,
                                      const std::string& cluster_token,
                                      const std::vector<std::string>& learners = {});

// Go's json.Marshal of membership.Member:
// {"id":N,"peerURLs":[..],"isLearner":true,"name":".."} (isLearner omitted
// when false).
std::string MemberJson(const Member& member);

// store.Save() of a v2 store into which each member's raftAttributes were
// created in order (etcd 3.4's restore: RaftCluster.AddMember per member).
std::string MembershipStoreJson(const std::vector<Member>& members);

// Go's json.Marshal of raftpb.ConfState as etcd 3.5+ keeps it in the
// backend's meta bucket ("confState"): {"voters":[..],"learners":[..],
// "auto_leave":false}.
std::string ConfStateJson(const std::vector<Member>& members);

}  // namespace ketcd::restore
