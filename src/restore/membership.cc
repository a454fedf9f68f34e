#include "restore/membership.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cluster/member_identity.h"
#include "util/hex_id.h"

namespace ketcd::restore {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";
constexpr int kEventHistoryCapacity = 1000;  // v2store's newWatchHub(1000)

std::string RaftAttributesJson(const Member& member) {
  Json json{{"peerURLs", member.peer_urls}};
  if (member.learner) json["isLearner"] = true;
  return json.dump();
}

// A v2 store node as Go marshals store.node (directories have a children
// map, files null).
Json Node(const std::string& path, uint64_t index, const std::string& value, const Json& children) {
  return Json{{"Path", path},          {"CreatedIndex", index}, {"ModifiedIndex", index},
              {"ExpireTime", kZeroTime}, {"Value", value},      {"Children", children}};
}

}  // namespace

Result<std::vector<Member>> MembersOf(const std::string& initial_cluster,
                                      const std::string& cluster_token,
                                      const std::vector<std::string>& learners) {
  auto parsed = cluster::ParseInitialCluster(initial_cluster);
  if (!parsed.ok()) return parsed.status();
  std::vector<Member> members;
  for (auto& [name, urls] : *parsed) {
    std::sort(urls.begin(), urls.end());
    const bool learner = std::find(learners.begin(), learners.end(), name) != learners.end();
    members.push_back({cluster::MemberId(urls, cluster_token), name, urls, learner});
  }
  for (const auto& learner : learners) {
    if (std::none_of(members.begin(), members.end(),
                     [&](const Member& m) { return m.name == learner; })) {
      return InvalidArgument("learner " + learner + " is not a member of --initial-cluster");
    }
  }
  if (std::all_of(members.begin(), members.end(), [](const Member& m) { return m.learner; })) {
    return InvalidArgument("every member would be a learner: a cluster needs a voting member");
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.id < b.id; });
  for (size_t i = 1; i < members.size(); ++i) {
    if (members[i].id == members[i - 1].id) {
      return InvalidArgument("--initial-cluster: members " + members[i - 1].name + " and " +
                             members[i].name + " would get the same ID");
    }
  }
  return members;
}

std::string MemberJson(const Member& member) {
  Json json{{"id", member.id}, {"peerURLs", member.peer_urls}};
  if (member.learner) json["isLearner"] = true;
  json["name"] = member.name;
  return json.dump();
}

std::string ConfStateJson(const std::vector<Member>& members) {
  std::vector<uint64_t> voters, learners;
  for (const auto& member : members) (member.learner ? learners : voters).push_back(member.id);
  Json json{{"voters", voters}};
  if (!learners.empty()) json["learners"] = learners;
  json["auto_leave"] = false;
  return json.dump();
}

std::string MembershipStoreJson(const std::vector<Member>& members) {
  // Go marshals maps with sorted keys: member IDs sort as text here, while
  // store indexes follow the order members were added (by ID).
  std::vector<std::pair<std::string, size_t>> by_text;
  for (size_t i = 0; i < members.size(); ++i) by_text.emplace_back(HexId(members[i].id), i);
  std::sort(by_text.begin(), by_text.end());
  Json member_nodes = Json::object();
  for (const auto& [text, i] : by_text) {
    const uint64_t index = i + 1;
    const std::string path = "/0/members/" + text;
    member_nodes[text] =
        Node(path, index, "",
             Json{{"raftAttributes", Node(path + "/raftAttributes", index,
                                          RaftAttributesJson(members[i]), nullptr)}});
  }
  Json events = Json::array();
  for (size_t i = 0; i < members.size(); ++i) {
    const uint64_t index = i + 1;
    events.push_back(
        {{"action", "create"},
         {"node",
          {{"key", "/0/members/" + HexId(members[i].id) + "/raftAttributes"},
           {"value", RaftAttributesJson(members[i])},
           {"modifiedIndex", index},
           {"createdIndex", index}}}});
  }
  while (events.size() < kEventHistoryCapacity) events.push_back(nullptr);
  const uint64_t count = members.size();
  Json root = Node(
      "/", 0, "",
      Json{{"0", Node("/0", 0, "", Json{{"members", Node("/0/members", 1, "", member_nodes)}})},
           {"1", Node("/1", 0, "", Json::object())}});
  Json stats = Json::object();
  for (const char* name :
       {"getsSuccess", "getsFail", "setsSuccess", "setsFail", "deleteSuccess", "deleteFail",
        "updateSuccess", "updateFail", "createSuccess", "createFail", "compareAndSwapSuccess",
        "compareAndSwapFail", "compareAndDeleteSuccess", "compareAndDeleteFail", "expireCount",
        "watchers"}) {
    stats[name] = std::string(name) == "createSuccess" ? count : 0;
  }
  Json store = {
      {"Root", root},
      {"WatcherHub",
       {{"EventHistory",
         {{"Queue",
           {{"Events", events},
            {"Size", count},
            {"Front", 0},
            {"Back", count},
            {"Capacity", kEventHistoryCapacity}}},
          {"StartIndex", 1},
          {"LastIndex", count}}}}},
      {"CurrentIndex", count},
      {"Stats", stats},
      {"CurrentVersion", 2}};
  return store.dump();
}

}  // namespace ketcd::restore
