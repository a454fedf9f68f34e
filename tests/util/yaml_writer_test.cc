#include "util/yaml_writer.h"

#include <gtest/gtest.h>

#include "util/json_text.h"

namespace ketcd {
namespace {

using Json = nlohmann::ordered_json;

TEST(YamlWriterTest, SortsKeysAndKeepsListsAtTheKeysIndent) {
  Json doc = {{"b", Json::array({Json{{"v", 1}, {"u", 2}}, "s"})}, {"a", Json::object()}};
  EXPECT_EQ(ToKubectlYaml(doc), "a: {}\nb:\n- u: 2\n  v: 1\n- s\n");
  // yaml.v2 reads y/n as booleans, so even keys get quoted, as kubectl does.
  EXPECT_EQ(ToKubectlYaml(Json{{"y", 1}}), "\"y\": 1\n");
}

TEST(YamlWriterTest, QuotesStringsThatWouldReadAsSomethingElse) {
  for (const char* ambiguous : {"", "0", "1.5", "true", "no", "null", "~", "2008-01-01T01:01:01Z",
                                "- x", "a: b", "#x", " lead", "0x1F", "1e3", "*ref"}) {
    Json doc = {{"k", ambiguous}};
    EXPECT_EQ(ToKubectlYaml(doc), "k: " + Json(ambiguous).dump() + "\n") << ambiguous;
  }
  for (const char* plain : {"nameValue", "10.96.0.0/12", "a-b", "-x", "http://x:80/y", "v1"}) {
    Json doc = {{"k", plain}};
    EXPECT_EQ(ToKubectlYaml(doc), std::string("k: ") + plain + "\n") << plain;
  }
}

TEST(YamlWriterTest, MultiLineStringsAreLiteralBlocks) {
  EXPECT_EQ(ToKubectlYaml(Json{{"k", "a\nb"}}), "k: |-\n  a\n  b\n");
  EXPECT_EQ(ToKubectlYaml(Json{{"k", "a\n\nb\n"}}), "k: |\n  a\n\n  b\n");
  EXPECT_EQ(ToKubectlYaml(Json{{"k", "trailing \nspace"}}), "k: \"trailing \\nspace\"\n");
}

TEST(YamlWriterTest, ScalarsAndNull) {
  EXPECT_EQ(ToKubectlYaml(Json{{"z", nullptr}, {"b", true}, {"i", 7}}), "b: true\ni: 7\nz: null\n");
}

// The YAML read from compact JSON text is the YAML of the parsed document,
// for every shape the writer treats on its own; U+FFFD (JsonText's stand-in
// for invalid UTF-8) and malformed text are declined.
TEST(YamlWriterTest, FromJsonTextEqualsFromTheDocument) {
  const Json documents[] = {
      Json::object(),
      Json::array(),
      Json{{"z", nullptr}, {"b", true}, {"i", -7}, {"f", 2.5}, {"e", 1e300}},
      Json{{"k", "a\n\nb\n"}, {"t", "trailing \nspace"}, {"q", "quote\" and \\ and \x01 \x7f"}},
      Json{{"list", {Json::object(), Json::array(), {1, 2}, {{"a", {{"b", "c"}}}}, "0", "yes", ""}}},
      Json{{"nested", {{"deeper", {{"deepest", Json::array({Json::array({"x"})})}}}}}},
      Json{{"unicode", "h\xc3\xa9 \xe2\x82\xac"}, {"keys with: colon", {{"-dash", 1}, {"#hash", 2}}}},
      Json::array({"top", "level", Json{{"k", "v"}}}),
  };
  for (const Json& document : documents) {
    std::string yaml;
    ASSERT_TRUE(AppendKubectlYamlFromJson(yaml, JsonText(document))) << document.dump();
    EXPECT_EQ(yaml, ToKubectlYaml(document)) << document.dump();
  }
  std::string out = "kept";
  EXPECT_FALSE(AppendKubectlYamlFromJson(out, JsonText(Json{{"k", "bad \xff byte"}})));
  EXPECT_FALSE(AppendKubectlYamlFromJson(out, "{\"k\":"));
  EXPECT_FALSE(AppendKubectlYamlFromJson(out, "{\"k\":\"\\u00zz\"}"));
  EXPECT_EQ(out, "kept");
}

}  // namespace
}  // namespace ketcd
