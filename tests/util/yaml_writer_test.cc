#include "util/yaml_writer.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ketcd
