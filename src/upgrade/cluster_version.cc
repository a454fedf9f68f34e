#include "upgrade/cluster_version.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "util/curl_library.h"

namespace ketcd::upgrade {
namespace {

constexpr size_t kMaxBody = 4096;  // the answer is a few dozen bytes

size_t Append(char* data, size_t size, size_t count, void* body) {
  auto* text = static_cast<std::string*>(body);
  if (text->size() + size * count > kMaxBody) return 0;  // aborts the transfer
  text->append(data, size * count);
  return size * count;
}

}  // namespace

Result<std::string> ReadClusterVersion(const std::string& client_url,
                                       const etcd::ConnectionConfig& config) {
  Result<const CurlLibrary*> library = Curl();
  if (!library.ok()) return library.status();
  const CurlLibrary& lib = **library;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(lib.easy_init(), lib.easy_cleanup);
  if (!curl) return Internal("libcurl cannot start");
  std::string body;
  const std::string url = client_url + "/version";
  lib.easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  lib.easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  lib.easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  lib.easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.dial_timeout.count()));
  lib.easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(config.command_timeout.count()));
  if (!config.ca_file.empty()) lib.easy_setopt(curl.get(), CURLOPT_CAINFO, config.ca_file.c_str());
  if (!config.cert_file.empty()) lib.easy_setopt(curl.get(), CURLOPT_SSLCERT, config.cert_file.c_str());
  if (!config.key_file.empty()) lib.easy_setopt(curl.get(), CURLOPT_SSLKEY, config.key_file.c_str());
  if (config.insecure_skip_tls_verify) lib.easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 0L);
  const CURLcode code = lib.easy_perform(curl.get());
  if (code != CURLE_OK) return Unavailable(url + ": " + lib.easy_strerror(code));
  long status = 0;
  lib.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return Failed(url + ": HTTP " + std::to_string(status));
  const nlohmann::json version = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!version.is_object() || !version.value("etcdcluster", nlohmann::json()).is_string()) {
    return DataLoss(url + ": not etcd's version document");
  }
  return version["etcdcluster"].get<std::string>();
}

}  // namespace ketcd::upgrade
