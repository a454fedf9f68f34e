// The streaming renderer prints exactly what the DOM renderer prints: for
// every round-trip fixture of the Kubernetes releases we read, with and
// without a read view, for mutated (damaged) copies of them, and for
// strings of any bytes. It must also actually stream what users store:
// every fixture a schema knows fully takes the streaming path, with any read view.
#include "k8s/stream_renderer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "k8s/storage_envelope.h"
#include "support/test_files.h"
#include "util/json_string.h"
#include "util/json_text.h"
#include "util/yaml_writer.h"

namespace ketcd::k8s {
namespace {

namespace fs = std::filesystem;
using testing::ReadFileBytes;

const ReadView kViews[] = {
    {},
    {.mod_revision = 4242, .hide_managed_fields = true, .read_conversions = true},
    {.mod_revision = 1, .hide_managed_fields = false, .read_conversions = false},
};

// Compact, kubectl's indentation, and that for an item of a List.
const JsonLayout kLayouts[] = {{}, {.indented = true, .level = 0}, {.indented = true, .level = 2}};

// The DOM renderer's text, or its error.
std::string DomText(const Schema& schema, std::string_view value, const ReadView& view, JsonLayout layout = {}) {
  auto rendered = RenderStoredValue(schema, value, view);
  if (!rendered.ok()) return "error: " + rendered.status().message();
  std::string text;
  AppendJsonInLayout(text, JsonText(rendered->object), layout);
  return text;
}

std::string StreamText(const StreamRenderer& renderer, std::string_view value, const ReadView& view,
                       JsonLayout layout = {}) {
  std::string out = "prefix ";  // appended to, never replaced
  std::vector<std::string> warnings;
  Status status = renderer.AppendJson(value, view, &out, &warnings, layout);
  if (!status.ok()) return out == "prefix " ? "error: " + status.message() : "error appended text";
  return out.substr(7);
}

std::vector<fs::path> FixtureFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".pb") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct StreamCase {
  const char* fixtures;
  const char* schema;
};

class StreamRendererFixtureTest : public ::testing::TestWithParam<StreamCase> {};

TEST_P(StreamRendererFixtureTest, EveryFixturePrintsAsTheDomRendererAndStreams) {
  const fs::path dir = fs::path(KETCD_SHARED_DIR) / "fixtures" / GetParam().fixtures;
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not found (../shared is absent)";
  auto schema = Schema::Load(GetParam().schema);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  StreamRenderer renderer(**schema);
  std::set<std::string> declined;
  for (const fs::path& file : FixtureFiles(dir)) {
    const std::string value = ReadFileBytes(file);
    const std::string type = file.stem().string();
    for (const ReadView& view : kViews) {
      for (const JsonLayout& layout : kLayouts) {
        EXPECT_EQ(StreamText(renderer, value, view, layout), DomText(**schema, value, view, layout))
            << type << " rev " << view.mod_revision << " indented " << layout.indented << " level " << layout.level;
        std::string out;
        if (!renderer.TryAppendJson(value, view, &out, layout)) declined.insert(type);
      }
    }
    // Indented as kubectl prints it (decode, get -o json).
    auto dom = RenderStoredValue(**schema, value);
    if (!dom.ok()) continue;
    std::string indented;
    AppendIndentedJson(indented, JsonText(dom->object), 0);
    EXPECT_EQ(indented, JsonText(dom->object, 4)) << type;
    // And as kubectl's YAML, read from that text.
    std::string yaml;
    ASSERT_TRUE(AppendKubectlYamlFromJson(yaml, JsonText(dom->object))) << type;
    EXPECT_EQ(yaml, ToKubectlYaml(dom->object)) << type;
  }
  // WatchEvent names no stored kind; the newest schema knows fields of
  // 1.37 objects that older fixtures lack, never the reverse.
  EXPECT_EQ(declined, std::set<std::string>{"core.v1.WatchEvent"});
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StreamRendererFixtureTest,
                         ::testing::Values(StreamCase{"k8s-api-v1.32", "builtin:0.32"},
                                           StreamCase{"k8s-api-v1.32", ""},
                                           StreamCase{"k8s-api-v1.36", "builtin:0.36"},
                                           StreamCase{"k8s-api-v1.36", ""}),
                         [](const auto& info) {
                           std::string name = std::string(info.param.fixtures) + "_" +
                                              (*info.param.schema ? info.param.schema : "default");
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Damaged objects: flipped, dropped, inserted and duplicated bytes. Whatever
// the DOM renderer makes of them (an error, unknown fields with warnings,
// merged duplicates), the streaming renderer prints the same.
TEST(StreamRendererTest, DamagedFixturesPrintAsTheDomRendererPrintsThem) {
  const fs::path dir = fs::path(KETCD_SHARED_DIR) / "fixtures" / "k8s-api-v1.32";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not found (../shared is absent)";
  auto schema = Schema::BuiltIn();
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  StreamRenderer renderer(**schema);
  std::mt19937 random(20261202);
  int streamed = 0, total = 0;
  for (const fs::path& file : FixtureFiles(dir)) {
    const std::string original = ReadFileBytes(file);
    const auto envelope = ParseStorageEnvelope(original);
    if (!envelope.ok()) continue;  // WatchEvent: no kind
    const size_t raw_start = static_cast<size_t>(envelope->raw.data() - original.data());
    for (int round = 0; round < 40; ++round) {
      std::string value = original;
      // Damage the object's own bytes (the envelope has its own tests).
      const size_t size = value.size() - raw_start;
      const size_t at = raw_start + random() % std::max<size_t>(1, size);
      switch (random() % 4) {
        case 0: value[at] = static_cast<char>(random()); break;
        case 1: value.erase(at, 1 + random() % 8); break;
        case 2: value.insert(at, 1, static_cast<char>(random())); break;
        default: value.insert(at, value.substr(at, 1 + random() % 64)); break;
      }
      const ReadView& view = kViews[random() % std::size(kViews)];
      const JsonLayout& layout = kLayouts[random() % std::size(kLayouts)];
      ASSERT_EQ(StreamText(renderer, value, view, layout), DomText(**schema, value, view, layout))
          << file.stem().string() << " round " << round;
      std::string out;
      streamed += renderer.TryAppendJson(value, view, &out, layout);
      ++total;
    }
  }
  std::printf("%d of %d damaged objects streamed, the rest went to the DOM renderer\n", streamed, total);
}

TEST(JsonStringTest, EscapesAsJsonTextForAnyBytes) {
  const std::string samples[] = {"", "plain", "quote\" back\\slash", std::string("nul\0x", 5),
                                 "\b\f\n\r\t\x01\x1f\x7f", "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80",
                                 "\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff\xfe",
                                 "ok \xe2\x82 cut", "\xe0\x9f\xbf"};
  for (const std::string& text : samples) {
    std::string out;
    AppendJsonString(out, text);
    EXPECT_EQ(out, JsonText(nlohmann::json(text))) << ::testing::PrintToString(text);
  }
  std::mt19937 random(7);
  for (int i = 0; i < 20000; ++i) {
    std::string text(random() % 12, '\0');
    for (char& c : text) c = static_cast<char>(random() % 4 ? 0x80 + random() % 0x80 : random() % 0x80);
    std::string out;
    AppendJsonString(out, text);
    ASSERT_EQ(out, JsonText(nlohmann::json(text))) << ::testing::PrintToString(text);
  }
}

TEST(JsonStringTest, IndentsAsJsonText) {
  std::string deep = "1";
  for (int i = 0; i < 80; ++i) deep = "{\"k\":[" + deep + ",{}]}";  // past the prepared indentation
  const std::string samples[] = {
      R"({"a":"x\"y","b\\":"\\","c":"{[,:]}","d":[],"e":{},"f":[1,true,null,-2.5e-07,{"g":[[]]}]})",
      R"("top")", "[]", "42", deep};
  for (const std::string& compact : samples) {
    std::string out = "prefix";
    AppendIndentedJson(out, compact, 0);
    EXPECT_EQ(out, "prefix" + JsonText(nlohmann::ordered_json::parse(compact), 4)) << compact;
  }
  std::string nested;
  AppendIndentedJson(nested, R"({"a":[1]})", 2);
  EXPECT_EQ(nested, "{\n            \"a\": [\n                1\n            ]\n        }");
}

TEST(JsonStringTest, NumbersPrintAsJsonText) {
  for (double value : {0.0, -0.0, 1.0, 0.1, 1e300, -2.5e-7, 3.0f * 1.0, 1.0 / 3}) {
    std::string out;
    AppendJsonDouble(out, value);
    EXPECT_EQ(out, JsonText(nlohmann::json(value)));
  }
  std::string out;
  AppendJsonInteger(out, INT64_MIN);
  out += ' ';
  AppendJsonUnsigned(out, UINT64_MAX);
  EXPECT_EQ(out, "-9223372036854775808 18446744073709551615");
}

}  // namespace
}  // namespace ketcd::k8s
