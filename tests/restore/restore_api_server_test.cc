// A restore under a real API server (1.37): a client watching from the
// resourceVersion it last saw must learn that the past it knew is gone.
// With --bump-revision --mark-compacted the API server answers its watch
// with "too old resource version" (410), the signal every client-go
// informer and `kubectl get --watch` re-lists on. Without the bump the
// restored revisions are smaller than what the client saw: its watch is
// accepted and never tells it, and it misses the writes made after the
// restore.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "support/api_server_fixture.h"


namespace ketcd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RestoreApiServerTest : public ApiServerFixture {
 protected:
  void SetUp() override { StartEtcdAndApiServer(); }

  void CreateConfigMap(const std::string& name) {
    auto created = server_->Create("/api/v1/namespaces/watch/configmaps",
                                   {{"metadata", {{"name", name}}}, {"data", {{"k", name}}}});
    ASSERT_TRUE(created.ok()) << created.status().message();
  }

  // The resourceVersion of a list of the namespace's ConfigMaps: what a
  // client that listed (or watched) them last saw.
  std::string ListResourceVersion() {
    auto list = server_->Get("/api/v1/namespaces/watch/configmaps");
    EXPECT_TRUE(list.ok()) << list.status().message();
    return list.ok() ? (*list)["metadata"]["resourceVersion"].get<std::string>() : "";
  }

  // Stops the API server and etcd, puts the snapshot back into etcd's
  // data dir with `flags`, starts both again.
  void RestoreUnderTheApiServer(const std::string& snapshot, const std::vector<std::string>& flags) {
    server_->Stop();
    etcd_->StopMember(0);
    const std::string restored = etcd_->dir() + "/restored.etcd";
    fs::remove_all(restored);
    auto done = RunKetcd(Args({"snapshot", "restore", snapshot, "--name", etcd_->Name(0), "--initial-cluster",
                               etcd_->Name(0) + "=" + etcd_->PeerUrl(0), "--initial-advertise-peer-urls",
                               etcd_->PeerUrl(0), "--data-dir", restored},
                              flags));
    ASSERT_EQ(done.exit_code, 0) << Describe(done);
    fs::remove_all(etcd_->DataDir(0));
    fs::rename(restored, etcd_->DataDir(0));
    ASSERT_TRUE(etcd_->RestartMember(0).ok());
    ASSERT_TRUE(server_->Restart().ok());
  }

  // The events of a watch from `resource_version` that the API server ends
  // after `seconds`.
  std::vector<json> Watch(const std::string& resource_version, int seconds) {
    auto response = server_->Request("GET", "/api/v1/namespaces/watch/configmaps?watch=true&resourceVersion=" +
                                                resource_version + "&timeoutSeconds=" + std::to_string(seconds));
    EXPECT_TRUE(response.ok()) << response.status().message();
    std::vector<json> events;
    if (!response.ok()) return events;
    if (response->code != 200) {  // refused before streaming: as one event
      events.push_back({{"type", "ERROR"}, {"object", response->Json()}});
      return events;
    }
    std::istringstream lines(response->body);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) events.push_back(json::parse(line, nullptr, false));
    }
    return events;
  }

  static bool IsTooOld(const std::vector<json>& events) {
    for (const json& event : events) {
      if (event.value("type", "") == "ERROR" && event["object"].value("code", 0) == 410) return true;
    }
    return false;
  }
};

TEST_F(RestoreApiServerTest, BumpedRestoreMakesWatchersRelistAndAPlainOneDoesNot) {
  ASSERT_TRUE(server_->Create("/api/v1/namespaces", {{"metadata", {{"name", "watch"}}}}).ok());
  for (int i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(CreateConfigMap("before-" + std::to_string(i)));
  const std::string snapshot = etcd_->dir() + "/backup.db";
  auto saved = Ketcd({"snapshot", "save", snapshot});
  ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
  // Written after the backup: lost by the restore, but seen by the client.
  for (int i = 0; i < 20; ++i) ASSERT_NO_FATAL_FAILURE(CreateConfigMap("after-" + std::to_string(i)));
  const std::string seen = ListResourceVersion();

  // A plain restore: revisions go back below what the client saw. Its
  // watch is accepted, and a write made now (at a smaller revision) never
  // reaches it: nothing tells the client to re-list.
  ASSERT_NO_FATAL_FAILURE(RestoreUnderTheApiServer(snapshot, {}));
  EXPECT_LT(std::stoll(ListResourceVersion()), std::stoll(seen));
  ASSERT_NO_FATAL_FAILURE(CreateConfigMap("written-after-restore"));
  const auto plain = Watch(seen, 3);
  EXPECT_FALSE(IsTooOld(plain)) << json(plain).dump();
  for (const json& event : plain) {
    EXPECT_NE(event["object"]["metadata"].value("name", ""), "written-after-restore") << event.dump();
  }

  // Bumped past anything a client saw, and compacted there: the same watch
  // is told its resourceVersion is too old, so the client re-lists.
  ASSERT_NO_FATAL_FAILURE(RestoreUnderTheApiServer(snapshot, {"--bump-revision", "1000000", "--mark-compacted"}));
  EXPECT_GT(std::stoll(ListResourceVersion()), std::stoll(seen));
  const auto bumped = Watch(seen, 3);
  EXPECT_TRUE(IsTooOld(bumped)) << json(bumped).dump();
  // The re-list shows the backup's objects, not the lost ones.
  auto list = server_->Get("/api/v1/namespaces/watch/configmaps");
  ASSERT_TRUE(list.ok()) << list.status().message();
  std::set<std::string> names;
  for (const json& item : (*list)["items"]) names.insert(item["metadata"]["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"before-0", "before-1", "before-2"}));
}

}  // namespace
}  // namespace ketcd::testing
