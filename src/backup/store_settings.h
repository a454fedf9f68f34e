// Settings of one backup destination, from its entry in backup.yaml with
// the usual environment variables as fallback (AWS_*, AZURE_STORAGE_*), and
// secrets also from files (`<key>_file`), as Kubernetes mounts them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace ketcd::backup {

class StoreSettings {
 public:
  explicit StoreSettings(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  // The setting, else the first environment variable set, else `fallback`.
  std::string Get(const std::string& key, const std::vector<std::string>& env = {},
                  const std::string& fallback = "") const;
  // Like Get, and `<key>_file` names a file holding it (surrounding
  // whitespace dropped).
  Result<std::string> Secret(const std::string& key, const std::vector<std::string>& env = {}) const;
  // A positive whole number (part sizes, attempts).
  Result<long> Number(const std::string& key, long fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

// Contents of the XML elements named `element` (entities decoded), in
// document order: the few fields S3 and Azure answers carry.
std::vector<std::string> XmlTexts(const std::string& xml, const std::string& element);
std::string XmlEscape(const std::string& text);

}  // namespace ketcd::backup
