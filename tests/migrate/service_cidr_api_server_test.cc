// The Service CIDR migration judged by a real API server (1.37), dual-stack:
// it created the Services in ranges A (IPv4 and IPv6), ketcd moves them while
// it is stopped, and it is started on ranges B. Its allocator repair loops must find nothing to repair,
// new Services must get free addresses in B, and undo must give back A.
#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <set>
#include <thread>

#include "support/api_server_fixture.h"
#include "util/utc_time.h"

namespace ketcd::testing {
namespace {

using nlohmann::json;

constexpr char kRangeA4[] = "10.96.0.0/16", kRangeA6[] = "fd00:10:96::/112";
constexpr char kRangeB4[] = "172.24.0.0/16", kRangeB6[] = "fd00:20:96::/112";
const std::string kRangesA = std::string(kRangeA4) + "," + kRangeA6;
const std::string kRangesB = std::string(kRangeB4) + "," + kRangeB6;

// The address at the same offset in B (same prefix lengths); "None" and ""
// as they are.
std::string InRangesB(const std::string& ip) {
  if (ip.rfind("10.96.", 0) == 0) return "172.24." + ip.substr(std::string("10.96.").size());
  if (ip.rfind("fd00:10:96::", 0) == 0) return "fd00:20:96::" + ip.substr(std::string("fd00:10:96::").size());
  return ip;
}

// What the repair loops say when the stored Services, IPAddress objects and
// ServiceCIDRs disagree (pkg/registry/core/service/ipallocator/controller and
// portallocator/controller), and the Warning events they record.
const char* const kRepairComplaints[] = {
    "not within any service CIDR", "not within the service CIDR", "is not allocated; repairing",
    "has a wrong reference", "was assigned to other services", "was assigned to multiple services",
    "may have leaked", "appears to have leaked", "appears to have been modified", "repair failed",
    "not within the port range", "is not a valid IP", "no longer configured on cluster",
    "unable to refresh the service IP block", "unable to refresh the port allocations"};
const std::set<std::string> kRepairEventReasons = {
    "ClusterIPOutOfRange", "ClusterIPNotAllocated", "ClusterIPAlreadyAllocated", "ClusterIPNotValid",
    "IPAddressNotAllocated", "IPAddressWrongReference", "PortOutOfRange", "PortNotAllocated",
    "PortAlreadyAllocated", "PortRangeFull", "ServiceCIDRFull", "UnknownError"};

class ServiceCidrApiServerTest : public ApiServerFixture {
 protected:
  void SetUp() override { StartEtcdAndApiServer({.service_cluster_ip_range = kRangesA}); }

  void CreateServices() {
    ASSERT_TRUE(server_->Create("/api/v1/namespaces", {{"metadata", {{"name", "net"}}}}).ok());
    const json selector = {{"app", "web"}};
    const json dual = "PreferDualStack";
    const std::vector<std::pair<std::string, json>> services = {
        {"net", {{"metadata", {{"name", "web"}}},
                 {"spec", {{"selector", selector}, {"ipFamilyPolicy", dual}, {"ports", {{{"port", 80}}}}}}}},
        {"net", {{"metadata", {{"name", "api"}}},
                 {"spec", {{"ports", {{{"name", "http"}, {"port", 80}}, {{"name", "grpc"}, {"port", 9090}}}}}}}},
        {"net", {{"metadata", {{"name", "v6-only"}}},
                 {"spec", {{"ipFamilies", {"IPv6"}}, {"ports", {{{"port", 80}}}}}}}},
        {"net", {{"metadata", {{"name", "fixed"}}},
                 {"spec", {{"clusterIP", "10.96.200.20"}, {"ports", {{{"port", 443}}}}}}}},
        {"net", {{"metadata", {{"name", "nodeport"}}},
                 {"spec", {{"type", "NodePort"}, {"selector", selector}, {"ipFamilyPolicy", dual},
                           {"ports", {{{"port", 8080}}}}}}}},
        {"net", {{"metadata", {{"name", "balancer"}}},
                 {"spec", {{"type", "LoadBalancer"}, {"selector", selector}, {"ipFamilyPolicy", dual},
                           {"ports", {{{"port", 443}}}}}}}},
        {"net", {{"metadata", {{"name", "headless"}}},
                 {"spec", {{"clusterIP", "None"}, {"selector", selector}, {"ports", {{{"port", 5432}}}}}}}},
        {"net", {{"metadata", {{"name", "external"}}},
                 {"spec", {{"type", "ExternalName"}, {"externalName", "db.example.com"}}}}},
        {"kube-system", {{"metadata", {{"name", "kube-dns"}, {"labels", {{"k8s-app", "kube-dns"}}}}},
                         {"spec", {{"clusterIP", "10.96.0.10"},
                                   {"ports", {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                                              {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}}}}}}}},
    };
    for (const auto& [ns, service] : services) {
      auto created = server_->Create("/api/v1/namespaces/" + ns + "/services", service);
      ASSERT_TRUE(created.ok()) << created.status().message();
    }
  }

  // namespace/name -> its ClusterIPs, one per family ("None" for headless,
  // none for ExternalName).
  std::map<std::string, std::vector<std::string>> ClusterIps() {
    std::map<std::string, std::vector<std::string>> ips;
    auto list = server_->Get("/api/v1/services");
    EXPECT_TRUE(list.ok()) << list.status().message();
    if (!list.ok()) return ips;
    for (const json& service : (*list)["items"]) {
      auto& addresses = ips[service["metadata"]["namespace"].get<std::string>() + "/" +
                            service["metadata"]["name"].get<std::string>()];
      for (const json& ip : service["spec"].value("clusterIPs", json::array())) addresses.push_back(ip);
    }
    return ips;
  }

  std::set<std::string> IpAddressObjects() {
    std::set<std::string> names;
    auto list = server_->Get("/apis/networking.k8s.io/v1/ipaddresses");
    EXPECT_TRUE(list.ok()) << list.status().message();
    if (list.ok()) {
      for (const json& address : (*list)["items"]) names.insert(address["metadata"]["name"]);
    }
    return names;
  }

  json DefaultServiceCidrs() {
    auto cidr = server_->Get("/apis/networking.k8s.io/v1/servicecidrs/kubernetes");
    EXPECT_TRUE(cidr.ok()) << cidr.status().message();
    return cidr.ok() ? (*cidr)["spec"]["cidrs"] : json();
  }

  // Restarts on `range` and lets the repair loops run over every Service:
  // fails on any complaint in the log they wrote since, or event they made
  // since. (Earlier ones are no concern of ketcd's: under load, the API
  // server's repair loop can race its own allocator on a Service it just
  // created and record "not allocated; repairing" for it.)
  void RestartOnRangeAndExpectNoRepair(const std::string& range) {
    const size_t log_before = server_->Log().size();
    const std::string restarted_at = Rfc3339Utc(std::time(nullptr));
    server_->SetFlag("--service-cluster-ip-range", range);
    ASSERT_TRUE(server_->Restart().ok());
    // The IP repair controller syncs every Service once its informers have
    // synced, just after the API server is ready.
    std::this_thread::sleep_for(std::chrono::seconds(5));
    const std::string log = server_->Log().substr(log_before);
    for (const char* complaint : kRepairComplaints) {
      EXPECT_FALSE(Contains(log, complaint)) << "repair complaint \"" << complaint << "\" after the restart on "
                                             << range << ":\n" << log.substr(0, 6000);
    }
    auto events = server_->Get("/api/v1/events");
    ASSERT_TRUE(events.ok()) << events.status().message();
    for (const json& event : (*events)["items"]) {
      // RFC 3339 UTC in seconds: ordered as text.
      if (event["metadata"].value("creationTimestamp", "") < restarted_at) continue;
      EXPECT_FALSE(kRepairEventReasons.count(event.value("reason", ""))) << event.dump();
    }
  }
};

TEST_F(ServiceCidrApiServerTest, ApiServerAcceptsTheMovedServicesAndUndoGivesBackTheOldRange) {
  ASSERT_NO_FATAL_FAILURE(CreateServices());
  const auto before = ClusterIps();
  const auto addresses_before = IpAddressObjects();
  ASSERT_EQ(before.at("default/kubernetes"), std::vector<std::string>{"10.96.0.1"});
  ASSERT_EQ(before.at("kube-system/kube-dns"), std::vector<std::string>{"10.96.0.10"});
  ASSERT_EQ(before.at("net/web").size(), 2u);  // dual-stack
  ASSERT_EQ(before.at("net/v6-only").at(0).rfind("fd00:10:96::", 0), 0u);
  // Every ClusterIP but headless and ExternalName, each family's.
  ASSERT_EQ(addresses_before.size(), 11u);

  const std::string journal = etcd_->dir() + "/service-cidr.journal";
  const std::vector<std::string> migrate = {"migrate", "service-cidr", "--from", kRangeA4, kRangeA6,
                                            "--to", kRangeB4, kRangeB6, "--apply", "--journal", journal,
                                            "--backup", etcd_->dir() + "/before-migration.db"};
  // While the API server runs, ketcd sees it renew its lease and refuses.
  auto refused = Ketcd(migrate);
  EXPECT_NE(refused.exit_code, 0) << Describe(refused);
  EXPECT_TRUE(Contains(refused.err, "kube-apiserver is running")) << Describe(refused);
  EXPECT_EQ(ClusterIps(), before);

  // Stopped: --force skips the 12 s watch of its lease that would only
  // prove it silent again (the refusal above is the check under test).
  server_->Stop();
  auto applied = Ketcd(Args(migrate, {"--force"}));
  ASSERT_EQ(applied.exit_code, 0) << Describe(applied);
  ASSERT_NO_FATAL_FAILURE(RestartOnRangeAndExpectNoRepair(kRangesB));

  // Every address moved with its offset; headless and ExternalName as they were.
  const auto after = ClusterIps();
  ASSERT_EQ(after.size(), before.size());
  std::set<std::string> moved;
  for (const auto& [service, ips] : before) {
    std::vector<std::string> want;
    for (const std::string& ip : ips) {
      want.push_back(InRangesB(ip));
      if (want.back() != "None") moved.insert(want.back());
    }
    EXPECT_EQ(after.at(service), want) << service;
  }
  EXPECT_EQ(IpAddressObjects(), moved);
  EXPECT_EQ(DefaultServiceCidrs(), json::array({kRangeB4, kRangeB6}));

  // 50 new Services, half dual-stack: addresses in B, none taken twice.
  std::set<std::string> taken = moved;
  for (int i = 0; i < 50; ++i) {
    json spec = {{"ports", {{{"port", 80}}}}};
    if (i % 2) spec["ipFamilyPolicy"] = "PreferDualStack";
    auto created = server_->Create("/api/v1/namespaces/net/services",
                                   {{"metadata", {{"name", "new-" + std::to_string(i)}}}, {"spec", spec}});
    ASSERT_TRUE(created.ok()) << created.status().message();
    for (const std::string ip : (*created)["spec"]["clusterIPs"]) {
      EXPECT_TRUE(ip.rfind("172.24.", 0) == 0 || ip.rfind("fd00:20:96::", 0) == 0) << ip;
      EXPECT_TRUE(taken.insert(ip).second) << ip << " given twice";
    }
  }

  // Back out: the new Services go first (undo restores what the journal
  // recorded, not what was created since), then undo, then ranges A again.
  for (int i = 0; i < 50; ++i) {
    auto deleted = server_->Request("DELETE", "/api/v1/namespaces/net/services/new-" + std::to_string(i));
    ASSERT_TRUE(deleted.ok() && deleted->code == 200) << (deleted.ok() ? deleted->body : deleted.status().message());
  }
  server_->Stop();
  auto undone = Ketcd({"migrate", "undo", journal});
  ASSERT_EQ(undone.exit_code, 0) << Describe(undone);
  ASSERT_NO_FATAL_FAILURE(RestartOnRangeAndExpectNoRepair(kRangesA));
  EXPECT_EQ(ClusterIps(), before);
  EXPECT_EQ(IpAddressObjects(), addresses_before);
  EXPECT_EQ(DefaultServiceCidrs(), json::array({kRangeA4, kRangeA6}));
}

}  // namespace
}  // namespace ketcd::testing
