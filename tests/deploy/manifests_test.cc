// The Kubernetes manifests in deploy/kubernetes are what they claim: every
// object encodes with the built-in Kubernetes schema (an unknown field or a
// wrong type fails, as the API server would refuse it), the ConfigMap's
// backup.yaml is a valid ketcd configuration whose paths are the pods'
// mounts, and the node's etcd certificates are mounted read-only.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "backup/backup_config.h"
#include "backup/schedule.h"
#include "k8s/object_encoder.h"

namespace ketcd {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kManifests = std::string(KETCD_SOURCE_DIR) + "/deploy/kubernetes";

// YAML as the API server's YAML decoder reads it (YAML 1.1 scalars: plain
// true/false are booleans, plain numbers are numbers, 0400 is octal).
Json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& entry : node) object[entry.first.as<std::string>()] = ToJson(entry.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const auto& item : node) array.push_back(ToJson(item));
      return array;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() != "?") return text;  // quoted
      if (text == "true" || text == "false") return text == "true";
      if (std::regex_match(text, std::regex("0[0-7]+"))) return std::stol(text, nullptr, 8);
      if (std::regex_match(text, std::regex("-?[0-9]+"))) return std::stol(text);
      return text;
    }
    default:
      return nullptr;
  }
}

std::vector<Json> LoadObjects() {
  std::vector<Json> objects;
  for (const auto& entry : fs::directory_iterator(kManifests)) {
    for (const YAML::Node& document : YAML::LoadAllFromFile(entry.path().string())) {
      objects.push_back(ToJson(document));
      objects.back()["_file"] = entry.path().filename().string();
    }
  }
  return objects;
}

const Json* Find(const std::vector<Json>& objects, const std::string& kind) {
  for (const Json& object : objects) {
    if (object["kind"] == kind) return &object;
  }
  return nullptr;
}

TEST(DeployManifestsTest, EveryObjectEncodesWithTheKubernetesSchema) {
  auto schema = k8s::Schema::BuiltIn();
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  const auto objects = LoadObjects();
  ASSERT_GE(objects.size(), 4u);
  for (Json object : objects) {
    const std::string file = object["_file"];
    object.erase("_file");
    auto encoded = k8s::EncodeStoredObject(**schema, object);
    EXPECT_TRUE(encoded.ok()) << file << " " << object["kind"] << ": " << encoded.status().message();
  }
  // The check can fail: a misspelt field is refused.
  Json misspelt = *Find(objects, "Deployment");
  misspelt.erase("_file");
  misspelt["spec"]["template"]["spec"]["hostNetwrk"] = true;
  EXPECT_FALSE(k8s::EncodeStoredObject(**schema, misspelt).ok());
}

TEST(DeployManifestsTest, ConfigIsValidAndPodsMountWhatItNames) {
  const auto objects = LoadObjects();
  const Json* config_map = Find(objects, "ConfigMap");
  ASSERT_NE(config_map, nullptr);
  const std::string text = (*config_map)["data"]["backup.yaml"];

  // Load it as ketcd would, with the key where the Secret would be mounted.
  const fs::path dir = fs::temp_directory_path() / ("ketcd-manifests-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::smatch key_file = [&] {
    std::smatch match;
    std::regex_search(text, match, std::regex("key_file: (\\S+)"));
    return match;
  }();
  ASSERT_FALSE(key_file.empty());
  std::ofstream(dir / "backup.key") << std::string(64, 'a') << "\n";
  ::chmod((dir / "backup.key").c_str(), 0600);
  std::ofstream(dir / "backup.yaml") << std::regex_replace(text, std::regex(key_file[1].str()), (dir / "backup.key").string());
  auto config = backup::LoadBackupConfig((dir / "backup.yaml").string());
  fs::remove_all(dir);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(backup::ParseSchedule(config->schedule).ok());
  ::setenv("AZURE_STORAGE_KEY", "a2V5", 1);  // what the credentials Secret provides
  for (const auto& destination : config->destinations) {
    auto opened = backup::OpenDestination(destination);
    EXPECT_TRUE(opened.ok()) << destination.url << ": " << opened.status().message();
  }

  for (const char* kind : {"Deployment", "CronJob"}) {
    const Json* workload = Find(objects, kind);
    ASSERT_NE(workload, nullptr) << kind;
    const Json& pod = std::string(kind) == "CronJob" ? (*workload)["spec"]["jobTemplate"]["spec"]["template"]["spec"]
                                                     : (*workload)["spec"]["template"]["spec"];
    EXPECT_EQ(pod["hostNetwork"], true) << kind;
    const Json& container = pod["containers"][0];
    std::map<std::string, Json> volumes;
    for (const Json& volume : pod["volumes"]) volumes[volume["name"]] = volume;
    std::map<std::string, std::string> mounted;  // path -> volume
    for (const Json& mount : container["volumeMounts"]) {
      mounted[mount["mountPath"]] = mount["name"];
      if (volumes[mount["name"]].contains("hostPath")) {
        EXPECT_EQ(mount.value("readOnly", false), true) << kind << ": host path " << mount["mountPath"];
      }
    }
    const auto& args = container["args"];
    const auto config_arg = std::find(args.begin(), args.end(), "--config");
    ASSERT_NE(config_arg, args.end()) << kind;
    const fs::path config_path = std::string(*(config_arg + 1));
    EXPECT_TRUE(volumes[mounted[config_path.parent_path().string()]].contains("configMap")) << kind;
    EXPECT_TRUE(volumes[mounted[fs::path(key_file[1].str()).parent_path().string()]].contains("secret")) << kind;
    EXPECT_TRUE(volumes[mounted[config->work_dir]].contains("emptyDir")) << kind;
    EXPECT_EQ(args[1], std::string(kind) == "CronJob" ? "run" : "daemon") << kind;
  }
}

}  // namespace
}  // namespace ketcd
