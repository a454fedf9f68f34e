// Conformance of the decoder against the Kubernetes project's own round-trip
// fixtures (../shared/fixtures, see their READMEs): every X.pb, decoded with
// the built-in schema, must equal X.json as JSON, and print as X.yaml byte
// for byte. Mismatches are listed one
// by one; the few known ones are named below with their reason, so the test
// fails when a new one appears and when a known one is fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <set>
#include <sstream>

#include "k8s/object_encoder.h"
#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "k8s/stream_renderer.h"
#include "support/test_files.h"
#include "util/yaml_writer.h"

namespace ketcd::k8s {
namespace {

using testing::ReadFileBytes;

namespace fs = std::filesystem;

struct FixtureSet {
  const char* name;
  // Schema::Load spec: "" is the default (all built-in, newest first);
  // "kubectl" the descriptors embedded in the kubectl on PATH.
  const char* schema;
  // Fixtures that do not match, and why (below).
  std::set<std::string> known_mismatches;
  std::set<std::string> known_encode_mismatches;
};

// WatchEvent is no stored type: its fixture has an empty TypeMeta, so
// nothing names its message.
// The default schema is the newest release (1.37) with older releases'
// fields: an older object reads as a 1.37 API server prints it, with the
// non-pointer fields added since (CSINode's status, 1.37) as empty structs,
// and encodes with them (as zero), as a 1.37 API server would store it. So
// do ListOptions, Pod and PodStatusResult of 1.32. Each release's own
// schema round-trips its fixtures exactly.
const std::set<std::string> kAddedIn137 = {"core.v1.WatchEvent", "storage.k8s.io.v1.CSINode",
                                           "storage.k8s.io.v1beta1.CSINode"};
const FixtureSet kFixtureSets[] = {
    {"k8s-api-v1.36", "builtin:0.36", {"core.v1.WatchEvent"}, {"core.v1.WatchEvent"}},
    {"k8s-api-v1.36", "", kAddedIn137, kAddedIn137},
    {"k8s-api-v1.32", "builtin:0.32", {"core.v1.WatchEvent"}, {"core.v1.WatchEvent"}},
    {"k8s-api-v1.32",
     "",
     kAddedIn137,
     {"core.v1.WatchEvent", "core.v1.ListOptions", "core.v1.Pod", "core.v1.PodStatusResult",
      "storage.k8s.io.v1.CSINode", "storage.k8s.io.v1beta1.CSINode"}},
// Decoding issue's acceptance: the schema of a kubectl 1.32 binary.
    {"k8s-api-v1.32", "kubectl", {"core.v1.WatchEvent"}, {"core.v1.WatchEvent"}},
    // The .proto files of Debian trixie's k8s.io/api 0.32, compiled at run time.
    {"k8s-api-v1.32", KETCD_TRIXIE_PROTO_DIR, {"core.v1.WatchEvent"}, {"core.v1.WatchEvent"}},
};

// The schema a fixture set names; skips the test when it is unavailable.
Result<std::unique_ptr<Schema>> LoadSchema(const std::string& spec) {
  if (spec != "kubectl") {
    if (spec.find('/') != std::string::npos && !fs::exists(spec)) return NotFound(spec + " is absent");
    return Schema::Load(spec);
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path kubectl = fs::path(dir) / "kubectl";
    if (fs::exists(kubectl)) return Schema::Load(fs::canonical(kubectl).string());
  }
  return NotFound("no kubectl on PATH");
}

void PrintTo(const FixtureSet& set, std::ostream* out) {
  *out << set.name << " with schema " << (*set.schema ? set.schema : "default");
}

class FixtureConformanceTest : public ::testing::TestWithParam<FixtureSet> {};

TEST_P(FixtureConformanceTest, EveryProtobufFixtureDecodesToItsJson) {
  const fs::path dir = fs::path(KETCD_SHARED_DIR) / "fixtures" / GetParam().name;
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not found (../shared is absent)";
  auto schema = LoadSchema(GetParam().schema);
  if (!schema.ok()) GTEST_SKIP() << schema.status().message();
  StreamRenderer renderer(**schema);

  std::set<std::string> mismatched;
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".pb") continue;
    const std::string type = entry.path().stem().string();
    fs::path json_path = entry.path();
    json_path.replace_extension(".json");
    ++checked;
    auto want = nlohmann::json::parse(ReadFileBytes(json_path), nullptr, false);
    const std::string value = ReadFileBytes(entry.path());
    auto rendered = RenderStoredValue(**schema, value);
    // The JSON users get (dump, get, decode) comes from the streaming
    // renderer; YAML from the rendered object.
    std::string streamed;
    std::vector<std::string> warnings;
    Status streamed_status = renderer.AppendJson(value, {}, &streamed, &warnings);
    std::string problem;
    if (!rendered.ok() || !streamed_status.ok()) {
      problem = rendered.ok() ? streamed_status.message() : rendered.status().message();
    } else {
      // Compared as JSON values: key order does not matter.
      auto ours = nlohmann::json::parse(streamed);
      fs::path yaml_path = entry.path();
      yaml_path.replace_extension(".yaml");
      if (ours != want) {
        auto patch = nlohmann::json::diff(ours, want);
        problem = patch.dump().substr(0, 300);
      } else if (ToKubectlYaml(rendered->object) != ReadFileBytes(yaml_path)) {
        // kubectl's YAML, byte for byte.
        problem = "JSON matches but YAML differs from " + yaml_path.filename().string();
      }
    }
    if (!problem.empty()) {
      mismatched.insert(type);
      if (!GetParam().known_mismatches.count(type)) ADD_FAILURE() << type << ": " << problem;
    }
  }
  EXPECT_GT(checked, 150) << "fixture set looks incomplete";
  std::printf("%s: %d fixtures, %zu mismatched\n", GetParam().name, checked, mismatched.size());
  for (const auto& known : GetParam().known_mismatches) {
    EXPECT_TRUE(mismatched.count(known)) << known << " matches now: drop it from the known list";
  }
}

TEST_P(FixtureConformanceTest, EveryJsonFixtureEncodesToItsProtobufBytes) {
  const fs::path dir = fs::path(KETCD_SHARED_DIR) / "fixtures" / GetParam().name;
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not found (../shared is absent)";
  auto schema = LoadSchema(GetParam().schema);
  if (!schema.ok()) GTEST_SKIP() << schema.status().message();

  std::set<std::string> mismatched;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    const std::string type = entry.path().stem().string();
    fs::path pb_path = entry.path();
    pb_path.replace_extension(".pb");
    // ordered_json keeps key order, which inline RawExtension bytes depend on.
    auto object = Json::parse(ReadFileBytes(entry.path()));
    auto encoded = EncodeStoredObject(**schema, object);
    std::string problem;
    if (!encoded.ok()) {
      problem = encoded.status().message();
    } else if (*encoded != ReadFileBytes(pb_path)) {
      problem = "bytes differ from " + pb_path.filename().string();
    }
    if (!problem.empty()) {
      mismatched.insert(type);
      if (!GetParam().known_encode_mismatches.count(type)) ADD_FAILURE() << type << ": " << problem;
    }
  }
  for (const auto& known : GetParam().known_encode_mismatches) {
    EXPECT_TRUE(mismatched.count(known)) << known << " encodes exactly now: update the list";
  }
  std::printf("%s: %zu encode mismatches\n", GetParam().name, mismatched.size());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureConformanceTest, ::testing::ValuesIn(kFixtureSets),
                         [](const auto& info) {
                           std::string schema = *info.param.schema ? info.param.schema : "default";
                           if (schema.find('/') != std::string::npos) schema = "proto_dir";
                           std::string name = std::string(info.param.name) + "_schema_" + schema;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Objects written by every release the default schema merges (each
// release's own round-trip fixtures, testdata/HEAD of its k8s.io/api
// module, fetched by scripts/fetch-k8s-api) decode with no unknown field;
// the newest release's decode to their JSON exactly.
TEST(ReleaseFixturesTest, ObjectsOfEveryMergedReleaseDecodeWithNoUnknownField) {
  const fs::path releases = KETCD_K8S_API_DIR;
  if (!fs::is_directory(releases)) GTEST_SKIP() << releases << " not found (scripts/fetch-k8s-api needs Go)";
  auto schema = Schema::BuiltIn();
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  std::vector<fs::path> dirs;
  for (const auto& release : fs::directory_iterator(releases)) {
    const fs::path head = release.path() / "src/k8s.io/api/testdata/HEAD";
    if (fs::is_directory(head)) dirs.push_back(head);
  }
  std::sort(dirs.begin(), dirs.end());
  ASSERT_GE(dirs.size(), 8u) << "expected the releases 0.30 to 0.37";
  const std::string newest = (*schema)->origin().substr(std::string("built-in k8s.io/api ").size());
  for (const fs::path& dir : dirs) {
    const std::string release = dir.parent_path().parent_path().parent_path().parent_path().parent_path().filename();
    const bool is_newest = newest.rfind(release.substr(1) + " ", 0) == 0;
    int checked = 0, unknown = 0, different = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".pb") continue;
      const std::string type = entry.path().stem().string();
      if (type == "core.v1.WatchEvent") continue;  // no stored type (above)
      ++checked;
      auto rendered = RenderStoredValue(**schema, ReadFileBytes(entry.path()));
      ASSERT_TRUE(rendered.ok()) << release << " " << type << ": " << rendered.status().message();
      if (!rendered->warnings.empty()) {
        ++unknown;
        ADD_FAILURE() << release << " " << type << ": " << rendered->warnings.front();
      }
      if (is_newest) {
        fs::path json_path = entry.path();
        json_path.replace_extension(".json");
        if (nlohmann::json::parse(rendered->object.dump()) !=
            nlohmann::json::parse(ReadFileBytes(json_path))) {
          ++different;
          ADD_FAILURE() << release << " " << type << ": JSON differs from its fixture";
        }
      }
    }
    EXPECT_GT(checked, 150) << dir;
    std::printf("%s: %d objects, %d with unknown fields%s\n", release.c_str(), checked, unknown,
                is_newest ? (", " + std::to_string(different) + " unlike their JSON").c_str() : "");
  }
}

}  // namespace
}  // namespace ketcd::k8s
