// Run-time schema sources: a directory of .proto files compiled by
// libprotobuf, and schemas imported into the cache by name.
#include "k8s/schema_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "k8s/schema.h"

namespace ketcd::k8s {
namespace {

namespace fs = std::filesystem;

class SchemaSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ketcd-schema-source-" + std::to_string(getpid()));
    fs::remove_all(root_);
    Write("k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto",
          "syntax = \"proto2\";\npackage k8s.io.apimachinery.pkg.apis.meta.v1;\n"
          "message ObjectMeta { optional string name = 1; }\n");
    Write("k8s.io/api/widgets/v1/generated.proto",
          "syntax = \"proto2\";\npackage k8s.io.api.widgets.v1;\n"
          "import \"k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto\";\n"
          "message Widget { optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; }\n");
    Write("other/ignored.proto", "this is not protobuf");
    ::setenv("XDG_CACHE_HOME", (root_ / "cache").c_str(), 1);
  }
  void TearDown() override {
    fs::remove_all(root_);
    ::unsetenv("XDG_CACHE_HOME");
  }
  void Write(const std::string& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  fs::path root_;
};

TEST_F(SchemaSourceTest, CompilesAProtoDirectory) {
  auto schema = Schema::Load(root_.string());
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  const auto* widget = (*schema)->FindKind("widgets/v1", "Widget");
  ASSERT_NE(widget, nullptr);
  EXPECT_EQ(widget->field(0)->message_type()->full_name(),
            "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta");
}

TEST_F(SchemaSourceTest, ReportsWhereAProtoFileIsWrong) {
  Write("k8s.io/api/broken/v1/generated.proto", "syntax = \"proto2\";\nmessage {\n");
  auto schema = Schema::Load(root_.string());
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(schema.status().message().find("k8s.io/api/broken/v1/generated.proto:2"),
            std::string::npos)
      << schema.status().message();
  EXPECT_FALSE(Schema::Load((root_ / "other").string()).ok());  // no k8s.io below it
}

TEST_F(SchemaSourceTest, ImportedSchemasLoadByName) {
  EXPECT_TRUE(ImportedSchemas().empty());
  auto path = ImportSchema(root_.string(), "widgets");
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(*path, (root_ / "cache/ketcd/schemas/widgets.desc").string());
  EXPECT_EQ(ImportedSchemas(), std::vector<std::string>{"widgets"});
  auto schema = Schema::Load("widgets");
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_NE((*schema)->FindKind("widgets/v1", "Widget"), nullptr);
  EXPECT_EQ(Schema::Load("unknown-name").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ImportSchema(root_.string(), "a/b").ok());
}

}  // namespace
}  // namespace ketcd::k8s
