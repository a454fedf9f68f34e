// ketcd stats --html, rendered by a real browser (headless Chromium): the
// treemap's top-level boxes are the resources of `stats -o json`, each with
// its bytes and an area in proportion to them; zooming in shows a
// resource's namespaces; a screenshot is kept as a test artifact.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/peers.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

std::string ChromiumBinary() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const std::string candidate = dir + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

std::string ChromiumMissing() {
  return ChromiumBinary().empty() ? "chromium is missing (Debian's chromium package): the report is not rendered"
                                  : "";
}

// Chromium, headless, on the page at `url`; `action` is --dump-dom or
// --screenshot=FILE.
CommandResult RunChromium(const std::string& action, const std::string& url) {
  return RunCommand({ChromiumBinary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--virtual-time-budget=5000", "--window-size=1280,1500", action, url},
                    {.timeout = std::chrono::seconds(120)});
}

struct Box {
  int64_t bytes = 0;
  double area = 0;
};

// The treemap's boxes in the rendered DOM, by name: those of the top level
// (class "box top") or all.
std::map<std::string, Box> Boxes(const std::string& dom, bool top_level) {
  static const std::regex box(
      R"re(<div class="box( top)?[^"]*" data-name="([^"]*)" data-bytes="(\d+)"[^>]*? )re"
      R"re(style="left: [-\d.]+px; top: [-\d.]+px; width: ([\d.]+)px; height: ([\d.]+)px;)re");
  std::map<std::string, Box> boxes;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), box); it != std::sregex_iterator(); ++it) {
    const std::smatch& match = *it;
    if (top_level && !match[1].matched) continue;
    boxes[match[2]] = {std::stoll(match[3]), std::stod(match[4]) * std::stod(match[5])};
  }
  return boxes;
}

TEST(StatsReportBrowserTest, TheTreemapShowsWhatStatsCounts) {
  KETCD_SKIP_UNLESS(ChromiumMissing());
  auto cluster = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  auto value = [](size_t size) { return std::string(size, 'v'); };
  ASSERT_TRUE((*cluster)
                  ->Put({{"/registry/pods/kube-system/etcd-node1", value(9000)},
                         {"/registry/pods/kube-system/apiserver-node1", value(12000)},
                         {"/registry/pods/default/web-1", value(3000)},
                         {"/registry/pods/default/web-2", value(3000)},
                         {"/registry/pods/batch/job-1", value(1500)},
                         {"/registry/configmaps/default/big-bundle", value(40000)},
                         {"/registry/configmaps/kube-system/kubeadm-config", value(800)},
                         {"/registry/secrets/default/tls", value(2500)},
                         {"/registry/minions/node1", value(6000)},
                         {"/registry/example.com/widgets/default/w1", value(7000)},
                         {"/registry/events/default/e1", value(500)}})
                  .ok());
  // History: two updates of a pod and a deleted event (its value and the
  // deletion): four old revisions, what a compaction would free.
  ASSERT_TRUE((*cluster)->Put({{"/registry/pods/default/web-1", value(3100)}}).ok());
  ASSERT_TRUE((*cluster)->Put({{"/registry/pods/default/web-1", value(3200)}}).ok());
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  ASSERT_TRUE(client.ok());
  etcd::pb::DeleteRangeRequest remove;
  remove.set_key("/registry/events/default/e1");
  ASSERT_TRUE((*client)->DeleteRange(remove).ok());

  const std::string dir = (*cluster)->dir();
  const std::string snapshot = dir + "/report.db", page = dir + "/report.html";
  auto saved = RunKetcd(Args((*cluster)->ConnectionFlags(), {"snapshot", "save", snapshot}));
  ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
  auto json = RunKetcd({"stats", "--snapshot", snapshot, "-o", "json"});
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  const auto stats = nlohmann::json::parse(json.out);
  auto report = RunKetcd({"stats", "--snapshot", snapshot, "--html", page});
  ASSERT_EQ(report.exit_code, 0) << Describe(report);
  EXPECT_NE(report.err.find("wrote the report to " + page), std::string::npos) << report.err;

  // Old revisions per resource, counted from the file.
  std::map<std::string, nlohmann::json> resources;
  for (const auto& resource : stats["resources"]) resources[resource["resource"]] = resource;
  EXPECT_EQ(resources["pods"]["oldRevisions"]["objects"], 2);
  EXPECT_EQ(resources["events"]["oldRevisions"]["objects"], 2);
  EXPECT_EQ(resources["events"]["objects"], 0);
  EXPECT_EQ(stats["oldRevisions"]["objects"], 4);

  auto rendered = RunChromium("--dump-dom", "file://" + page);
  ASSERT_EQ(rendered.exit_code, 0) << Describe(rendered);
  const std::map<std::string, Box> top = Boxes(rendered.out, true);
  // Every resource holding bytes is a box with its bytes (events holds
  // only history: no box); the areas share the map as the bytes share the
  // keyspace.
  std::map<std::string, int64_t> expected;
  for (const auto& [name, resource] : resources) {
    if (resource["bytes"].get<int64_t>() > 0) expected[name] = resource["bytes"];
  }
  std::map<std::string, int64_t> shown;
  double area = 0;
  for (const auto& [name, box] : top) {
    shown[name] = box.bytes;
    area += box.area;
  }
  EXPECT_EQ(shown, expected) << rendered.out;
  ASSERT_GT(area, 0);
  const double total = stats["bytes"].get<double>();
  for (const auto& [name, box] : top) {
    EXPECT_NEAR(box.area / area, box.bytes / total, 0.005) << name;
  }
  // The numbers of the text stats are on the page.
  EXPECT_NE(rendered.out.find("nodes"), std::string::npos);
  EXPECT_NE(rendered.out.find("OLD REVISIONS"), std::string::npos);

  // Zoomed in (the address keeps the zoom): the namespaces of pods.
  auto zoomed = RunChromium("--dump-dom", "file://" + page + "#pods");
  ASSERT_EQ(zoomed.exit_code, 0) << Describe(zoomed);
  std::map<std::string, int64_t> namespaces;
  for (const auto& [name, box] : Boxes(zoomed.out, false)) namespaces[name] = box.bytes;
  auto bytes = [](const std::string& key, int64_t value_size) { return static_cast<int64_t>(key.size()) + value_size; };
  EXPECT_EQ(namespaces, (std::map<std::string, int64_t>{
                            {"kube-system", bytes("/registry/pods/kube-system/etcd-node1", 9000) +
                                                bytes("/registry/pods/kube-system/apiserver-node1", 12000)},
                            {"default", bytes("/registry/pods/default/web-1", 3200) +
                                            bytes("/registry/pods/default/web-2", 3000)},
                            {"batch", bytes("/registry/pods/batch/job-1", 1500)}}));

  const std::string artifacts = KETCD_TEST_ARTIFACTS;
  std::filesystem::create_directories(artifacts);
  const std::string screenshot = artifacts + "/stats_report.png";
  std::filesystem::remove(screenshot);
  auto shot = RunChromium("--screenshot=" + screenshot, "file://" + page);
  ASSERT_EQ(shot.exit_code, 0) << Describe(shot);
  EXPECT_EQ(ReadFileBytes(screenshot).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

}  // namespace
}  // namespace ketcd::testing
