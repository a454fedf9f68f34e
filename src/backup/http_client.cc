#include "backup/http_client.h"

#include <algorithm>
#include <cctype>
#include <thread>

namespace ketcd::backup {
namespace {

struct Exchange {
  const HttpRequest* request;
  HttpResponse* response;
  std::string_view unsent;
  Status sink_status;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = std::min(size * count, exchange->unsent.size());
  std::copy_n(exchange->unsent.data(), n, buffer);
  exchange->unsent.remove_prefix(n);
  return n;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::string_view bytes(data, size * count);
  ByteSink* sink = exchange->request->response_sink;
  if (sink != nullptr && exchange->response->ok()) {
    exchange->sink_status = sink->Write(bytes);
    return exchange->sink_status.ok() ? bytes.size() : 0;  // 0 aborts the transfer
  }
  if (exchange->response->body.size() + bytes.size() > (8 << 20)) return 0;  // an error page, not data
  exchange->response->body.append(bytes);
  return bytes.size();
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response (after a redirect or 100 Continue)
    exchange->response->headers.clear();
    const size_t space = line.find(' ');
    if (space != std::string_view::npos) exchange->response->status = std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return line.size();
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
    exchange->response->headers[name] = std::string(value);
  }
  return line.size();
}

}  // namespace

HttpClient::HttpClient() : library_(Curl()) {
  if (library_.ok()) curl_ = (*library_)->easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) (*library_)->easy_cleanup(curl_);
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  if (!library_.ok()) return library_.status();
  const CurlLibrary& lib = **library_;
  CURL* curl = curl_;
  if (curl == nullptr) return Internal("libcurl could not start");
  lib.easy_reset(curl);
  HttpResponse response;
  Exchange exchange{&request, &response, request.body, Status::Ok()};
  lib.easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  // A store that stops answering mid-transfer is a failure, not a hang.
  lib.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  lib.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  lib.easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  lib.easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  lib.easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  if (request.method != "GET") {
    lib.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    lib.easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    lib.easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    lib.easy_setopt(curl, CURLOPT_READDATA, &exchange);
    lib.easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* headers = nullptr;
  // Stores answer at once; curl's "Expect: 100-continue" pause only slows parts.
  headers = lib.slist_append(headers, "Expect:");
  for (const auto& [name, value] : request.headers) headers = lib.slist_append(headers, (name + ": " + value).c_str());
  if (request.method != "GET") headers = lib.slist_append(headers, "Transfer-Encoding:");  // Content-Length from the body
  lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode code = lib.easy_perform(curl);
  lib.slist_free_all(headers);
  if (!exchange.sink_status.ok()) return exchange.sink_status;
  if (code != CURLE_OK) {
    return Unavailable(request.method + " " + UrlForMessages(request.url) + ": " + lib.easy_strerror(code));
  }
  long status = 0;
  lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  return response;
}

Result<HttpResponse> SendWithRetries(HttpClient& client, const HttpRequest& request, int attempts,
                                     std::chrono::milliseconds first_pause) {
  if (request.response_sink != nullptr) attempts = 1;
  auto pause = first_pause;
  for (int attempt = 1;; ++attempt) {
    auto response = client.Send(request);
    const bool again = response.ok() ? response->transient() : response.status().code() == ErrorCode::kUnavailable;
    if (!again || attempt >= attempts) return response;
    std::this_thread::sleep_for(pause);
    pause *= 2;
  }
}

std::string UriEncode(std::string_view text, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encode_slash)) {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return encoded;
}

std::string UrlForMessages(const std::string& url) {
  const size_t query = url.find('?');
  return query == std::string::npos ? url : url.substr(0, query) + "?...";
}

Result<UrlParts> SplitUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos || (url.substr(0, scheme) != "http" && url.substr(0, scheme) != "https")) {
    return InvalidArgument(UrlForMessages(url) + ": an endpoint must start with http:// or https://");
  }
  const size_t path = url.find('/', scheme + 3);
  UrlParts parts;
  parts.origin = url.substr(0, path);
  parts.host = parts.origin.substr(scheme + 3);
  if (parts.host.empty()) return InvalidArgument(UrlForMessages(url) + ": no host");
  parts.path = path == std::string::npos ? "" : url.substr(path);
  while (parts.path.ends_with('/')) parts.path.pop_back();
  return parts;
}

}  // namespace ketcd::backup
