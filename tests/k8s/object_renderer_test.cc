#include "k8s/object_renderer.h"

#include <gtest/gtest.h>

#include "k8s/object_encoder.h"
#include "k8s/read_conversions.h"
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

// What is not a stored object at all is said to be that, and what was expected.
TEST(RawRenderingTest, ValueThatIsNoStoredObjectSaysWhatItIsNot) {
  auto schema = Schema::BuiltIn();
  if (!schema.ok()) GTEST_SKIP() << schema.status().message();
  auto empty = RenderStoredValue(**schema, "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "the value is empty: there is no object to decode");
  auto random = RenderStoredValue(**schema, std::string("\x8f\x03random\0bytes", 15));
  ASSERT_FALSE(random.ok());
  EXPECT_NE(random.status().message().find("not a stored Kubernetes object"), std::string::npos);
  EXPECT_NE(random.status().message().find("not JSON"), std::string::npos);
  auto encrypted = RenderStoredValue(**schema, "k8s:enc:aescbc:v1:key1:xyz");
  ASSERT_FALSE(encrypted.ok());
  EXPECT_NE(encrypted.status().message().find("--encryption-config"), std::string::npos);
}

// A Deployment whose pod template has no creationTimestamp: stored as an
// empty Time, as the API server stores it.
std::string StoredDeployment(const Schema& schema) {
  Json deployment = Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"web","namespace":"default","creationTimestamp":"2026-01-02T03:04:05Z",
                  "resourceVersion":"","managedFields":[{"manager":"kubectl","operation":"Apply"}]},
      "spec":{"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[]}}}})");
  auto encoded = EncodeStoredObject(schema, deployment);
  EXPECT_TRUE(encoded.ok()) << encoded.status().message();
  return encoded.ok() ? *encoded : "";
}

// Kubernetes 1.34 tags creationTimestamp omitzero: a zero one is left out;
// 1.32's tag has no omitzero and Go printed null.
TEST(ReadViewTest, ZeroCreationTimestampIsOmittedFromTheReleaseThatTagsItOmitzero) {
  auto newest = Schema::BuiltIn();
  auto old = Schema::BuiltInVersion("0.32");
  if (!newest.ok() || !old.ok()) GTEST_SKIP() << "no built-in schemas 0.36 and 0.32";
  auto rendered = RenderStoredValue(**newest, StoredDeployment(**newest));
  ASSERT_TRUE(rendered.ok()) << rendered.status().message();
  const Json& template_meta = rendered->object["spec"]["template"]["metadata"];
  EXPECT_FALSE(template_meta.contains("creationTimestamp")) << template_meta.dump();
  EXPECT_EQ(rendered->object["metadata"]["creationTimestamp"], "2026-01-02T03:04:05Z");

  auto rendered_old = RenderStoredValue(**old, StoredDeployment(**old));
  ASSERT_TRUE(rendered_old.ok()) << rendered_old.status().message();
  const Json& old_meta = rendered_old->object["spec"]["template"]["metadata"];
  ASSERT_TRUE(old_meta.contains("creationTimestamp")) << old_meta.dump();
  EXPECT_TRUE(old_meta["creationTimestamp"].is_null());
}

TEST(ReadViewTest, ResourceVersionComesFromTheModRevisionAndManagedFieldsCanBeHidden) {
  auto schema = Schema::BuiltIn();
  if (!schema.ok()) GTEST_SKIP() << schema.status().message();
  const std::string stored = StoredDeployment(**schema);
  auto as_stored = RenderStoredValue(**schema, stored);
  ASSERT_TRUE(as_stored.ok());
  EXPECT_FALSE(as_stored->object["metadata"].contains("resourceVersion"));
  EXPECT_EQ(as_stored->object["metadata"]["managedFields"].size(), 1u);

  auto read = RenderStoredValue(**schema, stored, {.mod_revision = 42, .hide_managed_fields = true});
  ASSERT_TRUE(read.ok());
  const Json& meta = read->object["metadata"];
  EXPECT_EQ(meta["resourceVersion"], "42");
  EXPECT_FALSE(meta.contains("managedFields"));
  // In Go's field order: after namespace, before creationTimestamp.
  std::vector<std::string> keys;
  for (const auto& [key, value] : meta.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "namespace", "resourceVersion", "creationTimestamp"}));
  // The pod template's metadata is no object the API server versions.
  EXPECT_FALSE(read->object["spec"]["template"]["metadata"].contains("resourceVersion"));

  // A custom resource stored as JSON: its keys stay sorted, as Go prints a map.
  auto custom = RenderStoredValue(
      **schema, R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"managedFields":[],"name":"w","uid":"u"}})",
      {.mod_revision = 7, .hide_managed_fields = true});
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->object["metadata"].dump(), R"({"name":"w","resourceVersion":"7","uid":"u"})");
}

TEST(ReadConversionsTest, AddWhatTheApiServersDecoderAdds) {
  Json stateful_set = Json::parse(R"({"kind":"StatefulSet","apiVersion":"apps/v1",
      "spec":{"volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{},"status":{"phase":"Pending"}}]}})");
  ApplyReadConversions(stateful_set);
  EXPECT_EQ(stateful_set["spec"]["volumeClaimTemplates"][0].dump(),
            R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},)"
            R"("spec":{},"status":{"phase":"Pending"}})");

  Json claim = Json::parse(R"({"kind":"PersistentVolumeClaim","apiVersion":"v1","status":{"capacity":{}}})");
  ApplyReadConversions(claim);
  EXPECT_EQ(claim["status"].dump(), R"({"phase":"Pending","capacity":{}})");
  Json bound = Json::parse(R"({"kind":"PersistentVolumeClaim","apiVersion":"v1","status":{"phase":"Bound"}})");
  ApplyReadConversions(bound);
  EXPECT_EQ(bound["status"]["phase"], "Bound");
  Json config_map = Json::parse(R"({"kind":"ConfigMap","apiVersion":"v1","status":{}})");
  ApplyReadConversions(config_map);
  EXPECT_EQ(config_map["status"].dump(), "{}");
}

// The streaming renderer applies them to its text: the same result.
TEST(ReadConversionsTest, OnTextAsOnTheObject) {
  const char* objects[] = {
      R"({"kind":"StatefulSet","apiVersion":"apps/v1","spec":{"volumeClaimTemplates":[{},)"
      R"({"metadata":{"name":"a\"},[x"},"spec":{"x":[1,{"y":"}"}]}}]},"status":{}})",
      R"({"kind":"StatefulSet","apiVersion":"apps/v1beta2","spec":{"volumeClaimTemplates":null}})",
      R"({"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"spec":1},"spec":{"replicas":1}})",
      R"({"kind":"PersistentVolumeClaim","apiVersion":"v1","spec":{"status":{}},"status":{}})",
      R"({"kind":"PersistentVolume","apiVersion":"v1","status":{"capacity":{"phase":"x"}}})",
      R"({"kind":"PersistentVolume","apiVersion":"v1","status":{"message":"m","phase":"Bound"}})",
      R"({"kind":"PersistentVolume","apiVersion":"v1"})",
      R"({"kind":"ConfigMap","apiVersion":"v1","status":{}})",
  };
  for (const char* object : objects) {
    Json expected = Json::parse(object);
    ApplyReadConversions(expected);
    std::string text = std::string("prefix ") + object;
    ASSERT_TRUE(ApplyReadConversionsToText(Json::parse(object)["apiVersion"].get<std::string>(),
                                           Json::parse(object)["kind"].get<std::string>(), text, 7))
        << object;
    EXPECT_EQ(text, "prefix " + expected.dump()) << object;
  }
  // What the object form must place: left alone, and said so.
  for (const char* object : {
           R"({"spec":{"volumeClaimTemplates":[{"metadata":{}},{"kind":"X"}]}})",
           R"({"spec":{"volumeClaimTemplates":[{"apiVersion":"v2"}]}})",
       }) {
    std::string text = object;
    EXPECT_FALSE(ApplyReadConversionsToText("apps/v1", "StatefulSet", text, 0)) << object;
    EXPECT_EQ(text, object);
  }
  std::string empty_phase = R"({"status":{"phase":""}})";
  EXPECT_FALSE(ApplyReadConversionsToText("v1", "PersistentVolumeClaim", empty_phase, 0));
  EXPECT_EQ(empty_phase, R"({"status":{"phase":""}})");
}

}  // namespace
}  // namespace ketcd::k8s
