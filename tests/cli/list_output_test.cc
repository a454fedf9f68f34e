// kubectl's List printed item by item is the text the whole List document
// gives, in JSON and YAML, for real objects (the round-trip fixtures) and
// for edge cases (no items, literal blocks with empty lines).
#include "cli/list_output.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "support/test_files.h"
#include "util/json_text.h"

namespace ketcd::cli {
namespace {

namespace fs = std::filesystem;

std::string ItemByItem(OutputFormat format, const std::vector<Json>& items) {
  std::string out = KubectlListHead(format);
  for (size_t i = 0; i < items.size(); ++i) {
    AppendKubectlListItem(out, format, format == OutputFormat::kYaml ? ToYaml(items[i]) : JsonText(items[i]),
                          i == 0);
  }
  return out + KubectlListTail(format, items.empty());
}

std::string WholeDocument(OutputFormat format, const std::vector<Json>& items) {
  const Json list = {{"apiVersion", "v1"},
                     {"items", items.empty() ? Json::array() : Json(items)},
                     {"kind", "List"},
                     {"metadata", {{"resourceVersion", ""}}}};
  return format == OutputFormat::kYaml ? ToYaml(list) : JsonText(list, 4) + "\n";
}

TEST(KubectlListTest, ItemByItemEqualsTheWholeDocument) {
  std::vector<std::vector<Json>> cases = {
      {},
      {Json{{"kind", "Pod"}, {"data", {{"script", "line one\n\nline three\n"}, {"empty", Json::object()}}}}},
      {Json{{"a", Json::array()}, {"b", {1, 2.5, nullptr, "x"}}}, Json{{"nested", {{"list", {{{"k", "v"}}}}}}}},
  };
  const fs::path dir = fs::path(KETCD_SHARED_DIR) / "fixtures/k8s-api-v1.32";
  if (fs::is_directory(dir)) {
    auto schema = k8s::Schema::BuiltIn();
    ASSERT_TRUE(schema.ok());
    std::vector<Json> fixtures;
    for (const char* type : {"core.v1.Pod", "apps.v1.Deployment", "core.v1.ConfigMap", "rbac.authorization.k8s.io.v1.ClusterRole"}) {
      auto rendered = k8s::RenderStoredValue(**schema, testing::ReadFileBytes(dir / (std::string(type) + ".pb")));
      ASSERT_TRUE(rendered.ok()) << type;
      fixtures.push_back(rendered->object);
    }
    cases.push_back(fixtures);
  }
  for (const auto& items : cases) {
    for (OutputFormat format : {OutputFormat::kJson, OutputFormat::kYaml}) {
      EXPECT_EQ(ItemByItem(format, items), WholeDocument(format, items))
          << items.size() << " items, " << (format == OutputFormat::kYaml ? "yaml" : "json");
    }
  }
}

}  // namespace
}  // namespace ketcd::cli
