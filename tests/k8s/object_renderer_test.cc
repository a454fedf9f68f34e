#include "k8s/object_renderer.h"

#include <gtest/gtest.h>

#include "k8s/storage_envelope.h"
#include "util/duration.h"

namespace ketcd::k8s {
namespace {

TEST(StorageEnvelopeTest, DetectsEncodings) {
  EXPECT_EQ(DetectStorageEncoding(std::string("k8s\0\x0a", 5)), StorageEncoding::kProtobuf);
  EXPECT_EQ(DetectStorageEncoding("k8s:enc:aescbc:v1:key1:xyz"), StorageEncoding::kEncrypted);
  EXPECT_EQ(DetectStorageEncoding(" {\"kind\":\"Widget\"}"), StorageEncoding::kJson);
  EXPECT_EQ(DetectStorageEncoding("\xd9\xd9\xf7\xa1"), StorageEncoding::kCbor);
  EXPECT_EQ(DetectStorageEncoding("garbage"), StorageEncoding::kUnknown);
}

TEST(StorageEnvelopeTest, TruncatedEnvelopeIsDataLossNotACrash) {
  // typeMeta claims 21 bytes but the value ends after 3.
  std::string value("k8s\0\x0a\x15\x0a\x02v1", 10);
  auto parsed = ParseStorageEnvelope(value);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), ErrorCode::kDataLoss);
}

TEST(GoDurationTest, MatchesGoFormatting) {
  EXPECT_EQ(GoDurationString(0), "0s");
  EXPECT_EQ(GoDurationString(1), "1ns");
  EXPECT_EQ(GoDurationString(1500), "1.5µs");
  EXPECT_EQ(GoDurationString(250000000), "250ms");
  EXPECT_EQ(GoDurationString(30000000000), "30s");
  EXPECT_EQ(GoDurationString(3723500000000), "1h2m3.5s");
  EXPECT_EQ(GoDurationString(-60000000000), "-1m0s");
}

TEST(RawRenderingTest, UnknownKindIsShownAsNumberedFieldsWithAWarning) {
  auto schema = Schema::BuiltIn();
  if (!schema.ok()) GTEST_SKIP() << schema.status().message();
  // Envelope {typeMeta{apiVersion "x.io/v9", kind "Thing"}, raw{1: "a", 2: 7}}.
  std::string raw(
      "\x0a\x01"
      "a"
      "\x10\x07",
      5);
  std::string type_meta = std::string("\x0a\x07") + "x.io/v9" + std::string("\x12\x05") + "Thing";
  std::string value = std::string("k8s\0", 4) + "\x0a" + char(type_meta.size()) + type_meta +
                      "\x12" + char(raw.size()) + raw;
  auto rendered = RenderStoredValue(**schema, value);
  ASSERT_TRUE(rendered.ok()) << rendered.status().message();
  EXPECT_EQ(rendered->object["kind"], "Thing");
  EXPECT_EQ(rendered->object["ketcd.unknownFields"]["1"], "a");
  EXPECT_EQ(rendered->object["ketcd.unknownFields"]["2"], 7);
  EXPECT_EQ(rendered->warnings.size(), 1u);
}

TEST(RawRenderingTest, GarbageAfterMagicIsAnErrorNotACrash) {
  auto schema = Schema::BuiltIn();
  if (!schema.ok()) GTEST_SKIP() << schema.status().message();
  for (std::string garbage : {std::string("k8s\0", 4), std::string("k8s\0\xff\xff\xff", 7),
                              std::string("k8s\0\x0a\x00\x12\x05", 8)}) {
    auto rendered = RenderStoredValue(**schema, garbage);
    EXPECT_FALSE(rendered.ok());
  }
}

}  // namespace
}  // namespace ketcd::k8s
