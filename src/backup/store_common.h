// What the object store clients (S3, Azure Blob) share: settings of one
// destination, from its entry in backup.yaml with the usual environment
// variables as fallback (AWS_*, AZURE_STORAGE_*) and secrets also from
// files (`<key>_file`, as Kubernetes mounts them); bucket/prefix URLs;
// error answers as Statuses; the few XML fields their answers carry.
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
  // whitespace dropped), refused when others may read it.
  Result<std::string> Secret(const std::string& key, const std::vector<std::string>& env = {}) const;
  // A positive whole number (part sizes, attempts).
  Result<long> Number(const std::string& key, long fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

// kInvalidArgument for a plain http:// endpoint unless the destination says
// allow_insecure_http: true (credentials and backups would cross the
// network in the clear).
Status CheckEndpointScheme(const StoreSettings& settings, const std::string& endpoint);

// "scheme://bucket/some/prefix" -> url (no trailing '/'), the bucket (or
// container) and the prefix objects go under ("some/prefix/", or "").
struct StoreLocation {
  std::string url, bucket, prefix;
};
Result<StoreLocation> ParseStoreLocation(const std::string& scheme, const std::string& path);

// Appends `key` without `prefix` when it is an object directly under it.
void AddObjectName(const std::string& key, const std::string& prefix, std::vector<std::string>& names);

// A store's error answer as a Status: "METHOD what: HTTP 403 Code: message
// (hint)"; 403 is kUnauthenticated (with `credentials_hint`), 404
// kNotFound, anything else kFailed.
Status StoreError(const std::string& method, const std::string& what, long http_status, const std::string& code,
                  const std::string& message, const std::string& credentials_hint);

// Contents of the XML elements named `element` (entities decoded), in
// document order: the few fields S3 and Azure answers carry.
std::vector<std::string> XmlTexts(const std::string& xml, const std::string& element);
std::string XmlEscape(const std::string& text);

}  // namespace ketcd::backup
