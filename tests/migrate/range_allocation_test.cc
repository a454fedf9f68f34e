// The Service IP allocator's bitmap, as kube-apiserver writes it
// (big.Int.Bytes(): big endian, minimal; offset 0 = network address + 1).
#include "migrate/range_allocation.h"

#include <gtest/gtest.h>

#include "migrate/address_map.h"

namespace ketcd::migrate {
namespace {

std::vector<IpAddress> Ips(std::initializer_list<const char*> texts) {
  std::vector<IpAddress> ips;
  for (const char* text : texts) ips.push_back(*ParseIp(text));
  return ips;
}

TEST(RangeAllocationTest, MatchesTheAllocatorsEncoding) {
  const Cidr range = *ParseCidr("10.96.0.0/12");
  EXPECT_EQ(AllocationBitmap(range, Ips({"10.96.0.1", "10.96.0.10"})), std::string("\x02\x01", 2));
  EXPECT_EQ(AllocationBitmap(range, Ips({"10.96.0.1"})), std::string("\x01", 1));
  EXPECT_EQ(AllocationBitmap(range, {}), "");
  // Not representable: the network address, outside the range, broadcast.
  EXPECT_EQ(AllocationBitmap(*ParseCidr("10.0.0.0/24"), Ips({"10.0.0.0", "10.0.1.1", "10.0.0.255"})), "");
  // Offset 255: 32 bytes, its bit the top one of the first; 256 needs a 33rd.
  EXPECT_EQ(AllocationBitmap(range, Ips({"10.96.1.0"})), "\x80" + std::string(31, '\0'));
  EXPECT_EQ(AllocationBitmap(range, Ips({"10.96.1.1"})), "\x01" + std::string(32, '\0'));
  // IPv6 caps the bitmap at 65536 addresses.
  const Cidr v6 = *ParseCidr("fd00::/64");
  EXPECT_EQ(AllocationBitmap(v6, Ips({"fd00::1"})), std::string("\x01", 1));
  EXPECT_EQ(AllocationBitmap(v6, Ips({"fd00::1:0"})), "");
}

TEST(AddressMapTest, MapsKeepsAndRefuses) {
  auto map = AddressMap::Create({*ParseCidr("10.96.0.0/12"), *ParseCidr("fd00::/108")},
                                {*ParseCidr("172.24.0.0/16"), *ParseCidr("fd01::/108")});
  ASSERT_TRUE(map.ok()) << map.status().message();
  EXPECT_EQ(**map->MapAddress("10.96.0.10"), "172.24.0.10");
  EXPECT_EQ(**map->MapAddress("fd00::a"), "fd01::a");
  EXPECT_FALSE(map->MapAddress("172.24.0.10")->has_value());  // already migrated
  EXPECT_FALSE(map->MapAddress("None")->has_value());
  EXPECT_EQ(map->MapAddress("10.97.0.1").status().code(), ErrorCode::kInvalidArgument);  // offset too big
  EXPECT_EQ(map->MapAddress("192.168.0.1").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(**map->MapCidr("10.96.0.0/12"), "172.24.0.0/16");
  EXPECT_FALSE(map->MapCidr("172.24.0.0/16")->has_value());
  EXPECT_FALSE(AddressMap::Create({*ParseCidr("10.96.0.0/12")}, {}).ok());
  EXPECT_FALSE(AddressMap::Create({*ParseCidr("10.96.0.0/12"), *ParseCidr("10.0.0.0/16")},
                                  {*ParseCidr("172.24.0.0/16"), *ParseCidr("172.25.0.0/16")}).ok());
}

}  // namespace
}  // namespace ketcd::migrate
