// The address arithmetic of a CIDR migration: parsing and printing as
// Kubernetes stores addresses, offsets kept across ranges of any size, and
// clear refusals.
#include "migrate/cidr.h"

#include <gtest/gtest.h>

namespace ketcd::migrate {
namespace {

Cidr C(const char* text) {
  auto cidr = ParseCidr(text);
  EXPECT_TRUE(cidr.ok()) << text << ": " << cidr.status().message();
  return cidr.ok() ? *cidr : Cidr{};
}

std::string MapText(const CidrMapping& mapping, const char* address) {
  auto ip = ParseIp(address);
  if (!ip.ok()) return "parse error";
  auto mapped = mapping.Map(*ip);
  return mapped.ok() ? FormatIp(*mapped) : "error: " + mapped.status().message();
}

TEST(CidrTest, ParsesAndPrintsAsKubernetesStoresThem) {
  EXPECT_EQ(FormatCidr(C("10.96.0.0/12")), "10.96.0.0/12");
  EXPECT_EQ(FormatCidr(C("fd00:0:0:0::/64")), "fd00::/64");
  EXPECT_EQ(FormatIp(*ParseIp("FD00:0000:0000:0000:0000:0000:0000:000A")), "fd00::a");
  EXPECT_EQ(FormatIp(*ParseIp("2001:db8:0:1:0:0:0:1")), "2001:db8:0:1::1");
  for (const char* bad : {"10.96.0.1/12", "10.96.0.0", "10.96.0.0/33", "10.96.0.0/x", "nope/8",
                          "fd00::1/64", "10.96.0.0/-1"}) {
    EXPECT_EQ(ParseCidr(bad).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseCidr("10.96.0.1/12").status().message().find("host bits"), std::string::npos);
  EXPECT_TRUE(C("10.96.0.0/12").Contains(*ParseIp("10.111.255.255")));
  EXPECT_FALSE(C("10.96.0.0/12").Contains(*ParseIp("10.112.0.0")));
  EXPECT_TRUE(Overlaps(C("10.0.0.0/8"), C("10.244.0.0/16")));
  EXPECT_FALSE(Overlaps(C("10.96.0.0/12"), C("10.244.0.0/16")));
}

TEST(CidrTest, KeepsOffsetsAcrossRangesOfAnySize) {
  auto same = CidrMapping::Create(C("192.168.0.0/16"), C("172.24.0.0/16"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(MapText(*same, "192.168.0.1"), "172.24.0.1");
  EXPECT_EQ(MapText(*same, "192.168.200.17"), "172.24.200.17");

  auto larger = CidrMapping::Create(C("10.96.0.0/16"), C("172.16.0.0/12"));
  ASSERT_TRUE(larger.ok());
  EXPECT_EQ(MapText(*larger, "10.96.3.4"), "172.16.3.4");

  auto smaller = CidrMapping::Create(C("10.96.0.0/12"), C("172.24.0.0/16"));
  ASSERT_TRUE(smaller.ok());
  EXPECT_EQ(MapText(*smaller, "10.96.0.10"), "172.24.0.10");
  EXPECT_NE(MapText(*smaller, "10.100.0.10").find("does not fit"), std::string::npos);
  EXPECT_NE(MapText(*smaller, "10.200.0.10").find("outside"), std::string::npos);

  auto v6 = CidrMapping::Create(C("fd00:10:96::/112"), C("fd00:aa::/108"));
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(MapText(*v6, "fd00:10:96::a"), "fd00:aa::a");
  EXPECT_NE(MapText(*v6, "10.96.0.1").find("outside"), std::string::npos);
}

TEST(CidrTest, MapsNodeSubnetsToTheSameIndex) {
  auto pods = CidrMapping::Create(C("10.244.0.0/16"), C("10.55.0.0/16"));
  ASSERT_TRUE(pods.ok());
  auto subnet = pods->MapSubnet(C("10.244.3.0/24"));
  ASSERT_TRUE(subnet.ok());
  EXPECT_EQ(FormatCidr(*subnet), "10.55.3.0/24");
  EXPECT_FALSE(pods->MapSubnet(C("10.0.0.0/8")).ok());
  EXPECT_FALSE(pods->MapSubnet(C("10.245.0.0/24")).ok());
  auto tighter = CidrMapping::Create(C("10.244.0.0/16"), C("10.55.0.0/20"));
  EXPECT_FALSE(tighter->MapSubnet(C("10.244.16.0/24")).ok());  // index 16 does not fit in /20
}

TEST(CidrTest, RefusesMixedFamiliesAndOverlaps) {
  EXPECT_EQ(CidrMapping::Create(C("10.96.0.0/12"), C("fd00::/108")).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_NE(CidrMapping::Create(C("10.96.0.0/12"), C("10.100.0.0/16")).status().message().find("overlap"),
            std::string::npos);
}

}  // namespace
}  // namespace ketcd::migrate
