// Address edits in configuration text keep every other byte: indentation,
// quotes, comments, other keys.
#include "migrate/text_edit.h"

#include <gtest/gtest.h>

#include "migrate/address_map.h"

namespace ketcd::migrate {
namespace {

AddressMap Services() {
  return *AddressMap::Create({*ParseCidr("10.96.0.0/12")}, {*ParseCidr("172.24.0.0/16")});
}

TokenRewriter Map(const AddressMap& map) {
  return [&map](std::string_view token) { return map.MapToken(token); };
}

TEST(TextEditTest, RewritesYamlScalarsListsAndInlineLists) {
  const AddressMap map = Services();
  const std::string kubeadm =
      "networking:\n  dnsDomain: cluster.local\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: \"10.96.0.0/12\" # svc\n";
  auto out = RewriteYamlKey(kubeadm, "serviceSubnet", Map(map));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(**out,
            "networking:\n  dnsDomain: cluster.local\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: \"172.24.0.0/16\" # svc\n");

  const std::string kubelet = "cgroupDriver: systemd\nclusterDNS:\n- 10.96.0.10\n- fd00::a\nclusterDomain: cluster.local\n";
  out = RewriteYamlKey(kubelet, "clusterDNS", Map(map));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(**out, "cgroupDriver: systemd\nclusterDNS:\n- 172.24.0.10\n- fd00::a\nclusterDomain: cluster.local\n");

  out = RewriteYamlKey("clusterDNS: [10.96.0.10, 10.96.0.11]\n", "clusterDNS", Map(map));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(**out, "clusterDNS: [172.24.0.10, 172.24.0.11]\n");

  out = RewriteYamlKey("podSubnet: 10.244.0.0/16\n", "serviceSubnet", Map(map));
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->has_value());
}

TEST(TextEditTest, RefusesAnAddressOutsideFrom) {
  const AddressMap map = Services();
  auto out = RewriteYamlKey("serviceSubnet: 192.168.0.0/16\n", "serviceSubnet", Map(map));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("192.168.0.0/16 is not inside --from 10.96.0.0/12"), std::string::npos);
}

TEST(TextEditTest, RewritesJsonStringsAtAPathOnly) {
  const AddressMap pods = *AddressMap::Create({*ParseCidr("10.244.0.0/16")}, {*ParseCidr("10.55.0.0/16")});
  const std::string conf = "{\n  \"Network\": \"10.244.0.0/16\",\n  \"Backend\": {\"Type\": \"vxlan\", \"Network\": \"x\"},\n"
                           "  \"Other\": \"10.244.0.0/16\"\n}\n";
  const std::string path[] = {"Network"};
  auto out = RewriteJsonStrings(conf, path, Map(pods));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(**out, "{\n  \"Network\": \"10.55.0.0/16\",\n  \"Backend\": {\"Type\": \"vxlan\", \"Network\": \"x\"},\n"
                   "  \"Other\": \"10.244.0.0/16\"\n}\n");
  const std::string nested[] = {"spec", "cidrs"};
  out = RewriteJsonStrings(R"({"spec":{"cidrs":["10.244.1.0/24","fd00::/64"]}})", nested, Map(pods));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(**out, R"({"spec":{"cidrs":["10.55.1.0/24","fd00::/64"]}})");
  for (const char* bad : {"{\"Network\": ", "{\"a\" 1}", "[1,", "{\"Network\": \"10.244.0.0/16\"} x"}) {
    EXPECT_EQ(RewriteJsonStrings(bad, path, Map(pods)).status().code(), ErrorCode::kDataLoss) << bad;
  }
}

TEST(TextEditTest, RewritesCommandLineFlags) {
  const AddressMap map = Services();
  auto out = RewriteFlagValue("    - --service-account-issuer=x\n    - --service-cluster-ip-range=10.96.0.0/12\n",
                              "--service-cluster-ip-range", Map(map));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(**out, "    - --service-account-issuer=x\n    - --service-cluster-ip-range=172.24.0.0/16\n");
}

}  // namespace
}  // namespace ketcd::migrate
