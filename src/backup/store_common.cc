#include "backup/store_common.h"
#include "backup/http_client.h"
#include "util/read_file.h"

#include <cstdlib>
#include <cstring>

namespace ketcd::backup {
namespace {

std::string Trim(std::string text) {
  const auto not_space = text.find_first_not_of(" \t\r\n");
  if (not_space == std::string::npos) return "";
  return text.substr(not_space, text.find_last_not_of(" \t\r\n") - not_space + 1);
}

}  // namespace

std::string StoreSettings::Get(const std::string& key, const std::vector<std::string>& env,
                               const std::string& fallback) const {
  if (auto it = values_.find(key); it != values_.end()) return it->second;
  for (const std::string& name : env) {
    if (const char* value = std::getenv(name.c_str()); value && *value) return value;
  }
  return fallback;
}

Result<std::string> StoreSettings::Secret(const std::string& key, const std::vector<std::string>& env) const {
  if (auto it = values_.find(key + "_file"); it != values_.end()) {
    auto text = ReadPrivateFile(it->second);
    if (!text.ok()) return InvalidArgument(key + "_file: " + text.status().message());
    return Trim(*text);
  }
  return Get(key, env);
}

Result<long> StoreSettings::Number(const std::string& key, long fallback) const {
  const std::string text = Get(key);
  if (text.empty()) return fallback;
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || value <= 0) return InvalidArgument(key + ": not a positive number: " + text);
  return value;
}

Status CheckEndpointScheme(const StoreSettings& settings, const std::string& endpoint) {
  if (!endpoint.starts_with("http://") || settings.Get("allow_insecure_http") == "true") return Status::Ok();
  return InvalidArgument(UrlForMessages(endpoint) +
                         ": plain http:// would send credentials and backups in the clear; use https://, or set "
                         "allow_insecure_http: true for a store on a trusted network");
}

Result<StoreLocation> ParseStoreLocation(const std::string& scheme, const std::string& path) {
  StoreLocation location;
  location.url = scheme + "://" + path;
  while (location.url.ends_with('/')) location.url.pop_back();
  const size_t slash = path.find('/');
  location.bucket = path.substr(0, slash);
  if (location.bucket.empty()) return InvalidArgument(location.url + ": no bucket or container (" + scheme + "://NAME/PREFIX)");
  if (slash != std::string::npos) location.prefix = path.substr(slash + 1);
  while (location.prefix.ends_with('/')) location.prefix.pop_back();
  if (!location.prefix.empty()) location.prefix += "/";
  return location;
}

void AddObjectName(const std::string& key, const std::string& prefix, std::vector<std::string>& names) {
  if (!key.starts_with(prefix)) return;
  const std::string name = key.substr(prefix.size());
  if (!name.empty() && name.find('/') == std::string::npos) names.push_back(name);
}

Status StoreError(const std::string& method, const std::string& what, long http_status, const std::string& code,
                  const std::string& message, const std::string& credentials_hint) {
  std::string text = method + " " + what + ": HTTP " + std::to_string(http_status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message.substr(0, message.find('\n'));
  if (http_status == 403) return Unauthenticated(text + " (" + credentials_hint + ")");
  if (http_status == 404) return NotFound(text);
  return Failed(text);
}

std::vector<std::string> XmlTexts(const std::string& xml, const std::string& element) {
  std::vector<std::string> texts;
  const std::string open = "<" + element + ">", close = "</" + element + ">";
  for (size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at)) {
    at += open.size();
    const size_t end = xml.find(close, at);
    if (end == std::string::npos) break;
    std::string text;
    for (size_t i = at; i < end; ++i) {
      if (xml[i] != '&') {
        text.push_back(xml[i]);
        continue;
      }
      static const std::pair<const char*, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool decoded = false;
      for (const auto& [name, c] : kEntities) {
        if (xml.compare(i, std::strlen(name), name) == 0) {
          text.push_back(c);
          i += std::strlen(name) - 1;
          decoded = true;
          break;
        }
      }
      if (!decoded) text.push_back('&');
    }
    texts.push_back(std::move(text));
    at = end + close.size();
  }
  return texts;
}

std::string XmlEscape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped.push_back(c);
    }
  }
  return escaped;
}

}  // namespace ketcd::backup
