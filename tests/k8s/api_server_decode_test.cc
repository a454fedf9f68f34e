// What a real kube-apiserver (1.37) wrote, ketcd decodes to what the API
// server itself returns: every object in etcd after the API server created a
// broad set of kinds (and its own bootstrap objects) is read back through
// the API and compared with `ketcd dump` (and some with `ketcd get`), field
// for field.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "support/api_server_fixture.h"
#include "support/api_server_objects.h"

namespace ketcd::testing {
namespace {

using nlohmann::json;

// Discovery: "apiVersion/Kind" -> the resource's path segment and scope.
struct ApiResource {
  std::string plural;
  bool namespaced = false;
};

std::map<std::string, ApiResource> DiscoverResources(const KubeApiServer& server) {
  std::map<std::string, ApiResource> resources;
  std::vector<std::string> group_versions = {"v1"};
  auto groups = server.Get("/apis");
  EXPECT_TRUE(groups.ok()) << groups.status().message();
  if (groups.ok()) {
    for (const json& group : (*groups)["groups"]) {
      for (const json& version : group["versions"]) group_versions.push_back(version["groupVersion"]);
    }
  }
  for (const std::string& group_version : group_versions) {
    auto list = server.Get(group_version == "v1" ? "/api/v1" : "/apis/" + group_version);
    if (!list.ok()) continue;
    for (const json& resource : (*list)["resources"]) {
      const std::string name = resource["name"];
      if (name.find('/') != std::string::npos) continue;  // a subresource
      resources[group_version + "/" + resource["kind"].get<std::string>()] = {name, resource["namespaced"]};
    }
  }
  return resources;
}

std::string ObjectPath(const std::string& api_version, const ApiResource& resource,
                       const json& metadata) {
  std::string path = api_version == "v1" ? "/api/v1" : "/apis/" + api_version;
  if (resource.namespaced) path += "/namespaces/" + metadata.value("namespace", "");
  return path + "/" + resource.plural + "/" + metadata.value("name", "");
}

class ApiServerDecodeTest : public ApiServerFixture {
 protected:
  void SetUp() override {
    auto schema_check = RunKetcd({"schema", "list"});
    if (schema_check.exit_code != 0) GTEST_SKIP() << "ketcd has no built-in schema";
    StartEtcdAndApiServer();
  }
};

TEST_F(ApiServerDecodeTest, EveryStoredObjectDecodesToWhatTheApiServerReturns) {
  Status created = CreateObjectsOfEveryCommonKind(*server_, "decode");
  ASSERT_TRUE(created.ok()) << created.message();
  const auto resources = DiscoverResources(*server_);
  ASSERT_GT(resources.size(), 50u);

  auto dumped = Ketcd({"dump", "/registry/", "-o", "jsonl"});
  ASSERT_EQ(dumped.exit_code, 0) << Describe(dumped);
  // Every field known to the schema: no unknown-field or raw-value warning.
  EXPECT_EQ(dumped.err, "");

  std::set<std::string> equal_kinds, changed_meanwhile;
  std::map<std::string, std::string> differences;  // apiVersion/Kind -> first difference
  std::istringstream lines(dumped.out);
  for (std::string line; std::getline(lines, line);) {
    json ours = json::parse(line, nullptr, false);
    ASSERT_TRUE(ours.is_object()) << line.substr(0, 300);
    ASSERT_FALSE(ours.contains("ketcd.error")) << line.substr(0, 300);
    const std::string type = ours.value("apiVersion", "") + "/" + ours.value("kind", "");
    auto resource = resources.find(type);
    if (resource == resources.end()) continue;  // stored at a version no longer served
    auto response = server_->Request("GET", ObjectPath(ours["apiVersion"], resource->second, ours["metadata"]));
    ASSERT_TRUE(response.ok()) << response.status().message();
    if (response->code == 404) continue;  // deleted since (an expired Event, ...)
    ASSERT_EQ(response->code, 200) << type << ": " << response->body;
    json theirs = response->Json();
    if (theirs["metadata"]["resourceVersion"] != ours["metadata"]["resourceVersion"]) {
      changed_meanwhile.insert(type);  // a lease renewed since the dump
      continue;
    }
    theirs["metadata"].erase("managedFields");  // kubectl hides them; so does ketcd
    if (theirs == ours) {
      equal_kinds.insert(type);
    } else if (!differences.count(type)) {
      differences[type] = json::diff(theirs, ours).dump().substr(0, 600);
    }
  }
  for (const auto& [type, difference] : differences) ADD_FAILURE() << type << ": " << difference;
  std::string kinds;
  for (const auto& type : equal_kinds) kinds += " " + type;
  EXPECT_GE(equal_kinds.size(), 30u) << "equal:" << kinds;
  std::printf("%zu kinds equal to the API server's JSON:%s\n", equal_kinds.size(), kinds.c_str());

  // `get` answers as `dump` does, for namespaced and cluster-scoped kinds.
  for (const auto& [args, path] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"get", "sts", "db", "-n", "decode"}, "/apis/apps/v1/namespaces/decode/statefulsets/db"},
           {{"get", "secret", "credentials", "-n", "decode"}, "/api/v1/namespaces/decode/secrets/credentials"},
           {{"get", "clusterrole", "decode-reader"}, "/apis/rbac.authorization.k8s.io/v1/clusterroles/decode-reader"}}) {
    auto got = Ketcd(Args(args, {"-o", "json"}));
    ASSERT_EQ(got.exit_code, 0) << Describe(got);
    auto theirs = server_->Get(path);
    ASSERT_TRUE(theirs.ok()) << theirs.status().message();
    (*theirs)["metadata"].erase("managedFields");
    EXPECT_EQ(json::parse(got.out), *theirs) << path;
  }
}

}  // namespace
}  // namespace ketcd::testing
