// HTTP for the object stores (libcurl): one request at a time over a kept-
// alive connection, bodies from memory (an upload part is at most a few MiB)
// and response bodies either collected or streamed into a ByteSink.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backup/byte_stream.h"
#include "util/curl_library.h"
#include "util/status.h"

namespace ketcd::backup {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  // When set, a 2xx response body goes here instead of HttpResponse::body.
  ByteSink* response_sink = nullptr;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  bool ok() const { return status >= 200 && status < 300; }
  // Worth another try: the store is overloaded or failed internally.
  bool transient() const { return status == 429 || status >= 500; }
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Unavailable when the store cannot be reached or the connection breaks,
  // or libcurl is not installed (any HTTP status, even an error, is a response).
  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  Result<const CurlLibrary*> library_;
  CURL* curl_ = nullptr;
};

// Sends `request` again after a transport failure or a transient status, up
// to `attempts` times with doubling pauses from `first_pause`; a request
// streaming its response into a sink is sent once (the sink has bytes).
Result<HttpResponse> SendWithRetries(HttpClient& client, const HttpRequest& request, int attempts,
                                     std::chrono::milliseconds first_pause);

// RFC 3986 percent-encoding of everything but unreserved characters (and
// '/' unless encode_slash), as both SigV4 and Azure expect.
std::string UriEncode(std::string_view text, bool encode_slash);

// "scheme://host[:port]" and the path of an endpoint URL.
struct UrlParts {
  std::string origin, host, path;
};
Result<UrlParts> SplitUrl(const std::string& url);

// `url` for an error message or a log: its query string, which may hold a
// credential (an Azure SAS signature), replaced by "?...".
std::string UrlForMessages(const std::string& url);

}  // namespace ketcd::backup
