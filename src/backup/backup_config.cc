#include "backup/backup_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

#include "backup/archive_format.h"
#include "util/duration.h"
#include "util/known_keys.h"

namespace ketcd::backup {

namespace {

// Every key each part of backup.yaml may hold (docs/backups.md).
const std::vector<std::string> kTopLevelKeys = {"name", "work_dir", "compression_level", "upload_attempts",
                                                "retry_pause", "retry_backoff", "schedule", "retries",
                                                "delta_interval", "delta_max_mib", "delta_spool_mib",
                                                "destinations", "retention", "encryption"};
const std::vector<std::string> kRetentionKeys = {"keep_last", "hourly", "daily", "weekly", "monthly"};
const std::vector<std::string> kEncryptionKeys = {"key_file"};
const std::vector<std::string> kS3Keys = {"url", "endpoint", "region", "access_key_id", "secret_access_key",
                                          "secret_access_key_file", "session_token", "session_token_file",
                                          "path_style", "part_size_mib", "attempts", "allow_insecure_http"};
const std::vector<std::string> kAzureKeys = {"url", "endpoint", "account", "key", "key_file", "sas_token",
                                             "sas_token_file", "block_size_mib", "attempts", "allow_insecure_http"};
const std::vector<std::string> kDirectoryKeys = {"url"};

Status CheckDestinationKeys(const DestinationConfig& destination, const YAML::Node& entry, const std::string& where) {
  const std::string& url = destination.url;
  const auto& known = url.starts_with("s3://")       ? kS3Keys
                      : url.starts_with("azblob://") ? kAzureKeys
                                                     : kDirectoryKeys;
  return CheckKnownKeys(entry, known, where + ": destination " + url);
}

}  // namespace

Result<BackupConfig> LoadBackupConfig(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  if (!root.IsMap()) return InvalidArgument(path + ": not a YAML mapping of settings");
  BackupConfig config;
  try {
    KETCD_RETURN_IF_ERROR(CheckKnownKeys(root, kTopLevelKeys, path));
    KETCD_RETURN_IF_ERROR(CheckKnownKeys(root["retention"], kRetentionKeys, path + ": retention"));
    KETCD_RETURN_IF_ERROR(CheckKnownKeys(root["encryption"], kEncryptionKeys, path + ": encryption"));
    if (root["name"]) config.name = root["name"].as<std::string>();
    if (root["work_dir"]) config.work_dir = root["work_dir"].as<std::string>();
    if (root["compression_level"]) config.compression_level = root["compression_level"].as<int>();
    if (root["upload_attempts"]) config.upload_attempts = std::max(1, root["upload_attempts"].as<int>());
    for (auto [key, duration] : {std::pair{"retry_pause", &config.retry_pause}, {"retry_backoff", &config.retry_backoff},
                                 {"delta_interval", &config.delta_interval}}) {
      if (!root[key]) continue;
      const auto text = root[key].as<std::string>();
      if (std::string_view(key) == "delta_interval" && (text == "0" || text == "off")) {
        *duration = std::chrono::milliseconds(0);  // continuous backup switched off
        continue;
      }
      auto parsed = ParseDuration(text);
      if (!parsed.ok()) return parsed.status().WithContext(path + ": " + key);
      *duration = *parsed;
    }
    if (root["schedule"]) config.schedule = root["schedule"].as<std::string>();
    if (root["retries"]) config.retries = std::max(0, root["retries"].as<int>());
    if (root["delta_max_mib"]) config.delta_max_mib = std::clamp(root["delta_max_mib"].as<int>(), 1, 1024);
    if (root["delta_spool_mib"]) config.delta_spool_mib = std::clamp(root["delta_spool_mib"].as<int>(), 1, 1 << 20);
    for (const auto& entry : root["destinations"]) {
      DestinationConfig destination;
      if (entry.IsScalar()) {
        destination.url = entry.as<std::string>();
      } else {
        for (const auto& setting : entry) {
          const auto key = setting.first.as<std::string>();
          (key == "url" ? destination.url : destination.settings[key]) = setting.second.as<std::string>();
        }
        if (destination.url.empty()) return InvalidArgument(path + ": a destination without url");
        KETCD_RETURN_IF_ERROR(CheckDestinationKeys(destination, entry, path));
      }
      config.destinations.push_back(std::move(destination));
    }
    if (const auto retention = root["retention"]) {
      auto get = [&](const char* key) { return retention[key] ? retention[key].as<int>() : 0; };
      config.retention = {get("keep_last"), get("hourly"), get("daily"), get("weekly"), get("monthly")};
    }
    if (root["encryption"] && root["encryption"]["key_file"]) {
      auto key = LoadEncryptionKey(root["encryption"]["key_file"].as<std::string>());
      if (!key.ok()) return key.status();
      config.key = *key;
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  if (config.destinations.empty()) return InvalidArgument(path + ": no destinations");
  if (config.name.empty() || !std::isalnum(static_cast<unsigned char>(config.name.front())) ||
      config.name.size() > 100) {
    return InvalidArgument(path + ": name must start with a letter or digit (at most 100 characters)");
  }
  for (char c : config.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return InvalidArgument(path + ": name may hold letters, digits, - and _ only");
    }
  }
  return config;
}

}  // namespace ketcd::backup
