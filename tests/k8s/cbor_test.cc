// CBOR as Kubernetes stores custom resources: the encoder's choices
// (shortest forms, byte strings, sorted keys) and a decoder that refuses
// malformed input instead of crashing.
#include "k8s/cbor.h"

#include <gtest/gtest.h>

namespace ketcd::k8s {
namespace {

std::string Hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

// The encoding after the self-described tag d9d9f7.
std::string Encoded(const Json& value) { return Hex(JsonToCbor(value)).substr(6); }

TEST(CborTest, EncodesAsTheApiServerDoes) {
  // RFC 8949 appendix A, with strings as byte strings (Kubernetes' choice).
  EXPECT_EQ(Encoded(Json(0)), "00");
  EXPECT_EQ(Encoded(Json(24)), "1818");
  EXPECT_EQ(Encoded(Json(1000000)), "1a000f4240");
  EXPECT_EQ(Encoded(Json(-1)), "20");
  EXPECT_EQ(Encoded(Json(-1000)), "3903e7");
  EXPECT_EQ(Encoded(Json(1.5)), "f93e00");
  EXPECT_EQ(Encoded(Json(0.0)), "f90000");
  EXPECT_EQ(Encoded(Json(65504.0)), "f97bff");
  EXPECT_EQ(Encoded(Json(5.960464477539063e-8)), "f90001");  // the smallest half
  EXPECT_EQ(Encoded(Json(100000.0)), "fa47c35000");
  EXPECT_EQ(Encoded(Json(1.1)), "fb3ff199999999999a");
  EXPECT_EQ(Encoded(Json(true)), "f5");
  EXPECT_EQ(Encoded(Json(nullptr)), "f6");
  EXPECT_EQ(Encoded(Json("a")), "4161");
  EXPECT_EQ(Encoded(Json::array({1, 2})), "820102");
  // Keys sorted by their encoded bytes: shorter first.
  EXPECT_EQ(Encoded(Json::parse(R"({"aa":2,"b":1})")), "a24162014261610" "2");
  EXPECT_EQ(Hex(JsonToCbor(Json(1))).substr(0, 6), "d9d9f7");
}

TEST(CborTest, DecodesToJsonWithSortedKeysAndRoundTrips) {
  const Json object = Json::parse(
      R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},)"
      R"("spec":{"cidr":"10.0.0.0/16","ratio":0.5,"big":100000.0,"n":-7,"on":false,"none":null,"list":[1,"x"]}})");
  const std::string stored = JsonToCbor(object);
  auto decoded = CborToJson(stored);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(nlohmann::json::parse(decoded->dump()), nlohmann::json::parse(object.dump()));
  std::vector<std::string> keys;
  for (const auto& [key, value] : (*decoded)["spec"].items()) keys.push_back(key);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(JsonToCbor(*decoded), stored);
}

TEST(CborTest, MalformedInputIsDataLossNeverACrash) {
  for (const std::string bad : {std::string("\xd9\xd9\xf7", 3), std::string("\xd9\xd9\xf7\x62" "a", 5),
                                std::string("\xa1\x01\x02", 3), std::string("\x1c", 1),
                                std::string("\x00\x00", 2), std::string("\xf9\x7c\x00", 3),
                                std::string("\x5b\xff\xff\xff\xff\xff\xff\xff\xff", 9)}) {
    auto decoded = CborToJson(bad);
    EXPECT_FALSE(decoded.ok()) << Hex(bad);
    if (!decoded.ok()) EXPECT_EQ(decoded.status().code(), ErrorCode::kDataLoss) << Hex(bad);
  }
  // 100,000 nested arrays: refused at the depth limit, not a stack overflow.
  auto deep = CborToJson(std::string(100000, '\x81') + '\x00');
  EXPECT_FALSE(deep.ok());
}

}  // namespace
}  // namespace ketcd::k8s
