#include "k8s/object_encoder.h"

#include <gtest/gtest.h>

#include "util/duration.h"

namespace ketcd::k8s {
namespace {

TEST(ObjectEncoderTest, ParsesRfc3339WithZoneAndFraction) {
  int64_t seconds;
  int32_t nanos;
  ASSERT_TRUE(ParseRfc3339("2008-01-01T01:01:01Z", &seconds, &nanos));
  EXPECT_EQ(seconds, 1199149261);
  EXPECT_EQ(nanos, 0);
  ASSERT_TRUE(ParseRfc3339("2008-01-01T03:01:01.000003+02:00", &seconds, &nanos));
  EXPECT_EQ(seconds, 1199149261);
  EXPECT_EQ(nanos, 3000);
  for (const char* bad : {"", "2008-01-01", "2008-01-01T01:01:01", "2008-01-01T01:01:01Zjunk",
                          "2008-01-01T01:01:01."}) {
    EXPECT_FALSE(ParseRfc3339(bad, &seconds, &nanos)) << bad;
  }
}

TEST(ObjectEncoderTest, ParsesGoDurationsAsRenderedByGo) {
  for (int64_t ns :
       {0LL, 1LL, 1500LL, 250000000LL, 30000000000LL, 3723500000000LL, -60000000000LL}) {
    int64_t parsed = -1;
    ASSERT_TRUE(ParseGoDuration(GoDurationString(ns), &parsed)) << GoDurationString(ns);
    EXPECT_EQ(parsed, ns);
  }
  int64_t parsed;
  EXPECT_FALSE(ParseGoDuration("5 minutes", &parsed));
  EXPECT_FALSE(ParseGoDuration("", &parsed));
}

class EncodeErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schema = Schema::BuiltIn();
    if (!schema.ok()) GTEST_SKIP() << schema.status().message();
    schema_ = std::move(*schema);
  }
  Status Encode(const char* json) {
    return EncodeStoredObject(*schema_, Json::parse(json)).status();
  }
  std::unique_ptr<Schema> schema_;
};

TEST_F(EncodeErrorTest, RoundTripsThroughTheRenderer) {
  const char* json =
      R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","namespace":"n",)"
      R"("creationTimestamp":"2024-05-06T07:08:09Z"},"data":{"b":"2","a":"1"}})";
  auto encoded = EncodeStoredObject(*schema_, Json::parse(json));
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  auto rendered = RenderStoredValue(*schema_, *encoded);
  ASSERT_TRUE(rendered.ok());
  EXPECT_EQ(nlohmann::json::parse(rendered->object.dump()), nlohmann::json::parse(json));
}

TEST_F(EncodeErrorTest, UnknownFieldIsRejectedWithItsPath) {
  Status status = Encode(R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"nmae":"x"}})");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.message().find(".metadata.nmae"), std::string::npos) << status.message();
}

TEST_F(EncodeErrorTest, WrongTypeIsRejectedWithItsPath) {
  Status status =
      Encode(R"({"kind":"Service","apiVersion":"v1","spec":{"ports":[{"port":"80"}]}})");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.message().find(".spec.ports[0].port: expected an integer"), std::string::npos)
      << status.message();
}

TEST_F(EncodeErrorTest, UnknownKindIsRejected) {
  EXPECT_EQ(Encode(R"({"kind":"Widget","apiVersion":"example.com/v1"})").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Encode(R"({"metadata":{}})").code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace ketcd::k8s
