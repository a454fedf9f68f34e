// s3://bucket[/prefix] on AWS S3 or any S3-compatible store: SigV4-signed
// requests, objects larger than one part streamed as a multipart upload
// (invisible until completed; aborted when abandoned).
#include <algorithm>
#include <ctime>

#include "backup/chunked_upload.h"
#include "backup/destination.h"
#include "backup/http_client.h"
#include "backup/object_store_destination.h"
#include "backup/sigv4.h"
#include "backup/store_common.h"
#include "util/sha256.h"
#include "util/utc_time.h"

namespace ketcd::backup {
namespace {

struct S3Options {
  std::string url, bucket, prefix, region, origin, host, base_path;
  bool path_style = true;
  AwsCredentials credentials;
  size_t part_size = 0;
  int attempts = 0;
};

using Query = std::map<std::string, std::string>;

class S3Store {
 public:
  explicit S3Store(S3Options options) : options_(std::move(options)) {}
  const S3Options& options() const { return options_; }

  // One signed request for object `key` ("" for the bucket); the answer
  // when it is 2xx, else a Status naming the store's error code.
  Result<HttpResponse> Call(const std::string& method, const std::string& key, const Query& query,
                            std::string_view body = {}, ByteSink* sink = nullptr) {
    std::string path = options_.base_path;
    if (options_.path_style) path += '/' + options_.bucket;
    path += '/';
    path += UriEncode(key, false);
    SigV4Request signing{method, path, query, {}, Hex(body)};
    const std::string date = CompactUtc(std::time(nullptr));
    signing.headers = {{"host", options_.host}, {"x-amz-date", date}, {"x-amz-content-sha256", signing.payload_sha256}};
    if (!options_.credentials.session_token.empty()) {
      signing.headers["x-amz-security-token"] = options_.credentials.session_token;
    }
    HttpRequest request;
    request.method = method;
    request.url = options_.origin + path;
    if (!query.empty()) request.url += '?' + CanonicalQuery(query);
    request.body = body;
    request.response_sink = sink;
    for (const auto& [name, value] : signing.headers) request.headers.emplace_back(name, value);
    request.headers.emplace_back("authorization",
                                 SigV4Authorization(options_.credentials, options_.region, "s3", date, signing));
    auto response = SendWithRetries(http_, request, options_.attempts, std::chrono::seconds(1));
    if (!response.ok()) return response.status();
    if (!response->ok()) {
      const auto codes = XmlTexts(response->body, "Code");
      const auto messages = XmlTexts(response->body, "Message");
      return StoreError(method, key.empty() ? "bucket" : key, response->status, codes.empty() ? "" : codes.front(),
                        messages.empty() ? "" : messages.front(), "check the access key id and secret access key");
    }
    return response;
  }

 private:
  static std::string Hex(std::string_view body) {
    Sha256 digest;
    digest.Update(body);
    return HexBytes(digest.Finish());
  }

  S3Options options_;
  HttpClient http_;
};

class S3Sink : public ChunkedUploadSink {
 public:
  S3Sink(S3Store& store, std::string key) : ChunkedUploadSink(store.options().part_size), store_(store), key_(std::move(key)) {}
  ~S3Sink() override {
    // Abandoned mid-upload: drop the parts (a lifecycle rule catches what a
    // failed abort leaves).
    if (!upload_id_.empty() && !completed_) (void)store_.Call("DELETE", key_, {{"uploadId", upload_id_}});
  }

 protected:
  Status PutWhole(std::string_view bytes) override { return store_.Call("PUT", key_, {}, bytes).status(); }

  Status UploadPart(int number, std::string_view bytes) override {
    if (upload_id_.empty()) {
      auto started = store_.Call("POST", key_, {{"uploads", ""}});
      if (!started.ok()) return started.status();
      const auto ids = XmlTexts(started->body, "UploadId");
      if (ids.empty() || ids.front().empty()) return Failed("POST " + key_ + "?uploads: no UploadId in the answer");
      upload_id_ = ids.front();
    }
    auto uploaded = store_.Call("PUT", key_, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}}, bytes);
    if (!uploaded.ok()) return uploaded.status();
    etags_.push_back(uploaded->headers["etag"]);
    return Status::Ok();
  }

  Status CompleteParts(int count) override {
    std::string body = "<CompleteMultipartUpload>";
    for (int i = 0; i < count; ++i) {
      body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + XmlEscape(etags_[i]) +
              "</ETag></Part>";
    }
    body += "</CompleteMultipartUpload>";
    auto completed = store_.Call("POST", key_, {{"uploadId", upload_id_}}, body);
    if (!completed.ok()) return completed.status();
    // S3 may answer 200 and still report a failure in the body.
    if (!XmlTexts(completed->body, "Code").empty() || completed->body.find("<Error>") != std::string::npos) {
      return Failed("completing " + key_ + ": " + completed->body.substr(0, 300));
    }
    completed_ = true;
    return Status::Ok();
  }

 private:
  S3Store& store_;
  std::string key_, upload_id_;
  std::vector<std::string> etags_;
  bool completed_ = false;
};

class S3Destination : public ObjectStoreDestination<S3Store> {
 public:
  using ObjectStoreDestination::ObjectStoreDestination;

  Result<std::unique_ptr<ByteSink>> Create(const std::string& name) override {
    return std::unique_ptr<ByteSink>(new S3Sink(store_, store_.options().prefix + name));
  }

  Result<std::vector<std::string>> List() override {
    const std::string& prefix = store_.options().prefix;
    std::vector<std::string> names;
    std::string token;
    do {
      Query query{{"list-type", "2"}, {"prefix", prefix}};
      if (!token.empty()) query["continuation-token"] = token;
      auto page = store_.Call("GET", "", query);
      if (!page.ok()) return page.status();
      for (const std::string& key : XmlTexts(page->body, "Key")) AddObjectName(key, prefix, names);
      const auto truncated = XmlTexts(page->body, "IsTruncated");
      const auto next = XmlTexts(page->body, "NextContinuationToken");
      token = !truncated.empty() && truncated.front() == "true" && !next.empty() ? next.front() : "";
    } while (!token.empty());
    std::sort(names.begin(), names.end());
    return names;
  }
};

}  // namespace

Result<std::unique_ptr<Destination>> OpenS3Destination(const std::string& path, const DestinationConfig& config) {
  const StoreSettings settings(config.settings);
  S3Options options;
  auto location = ParseStoreLocation("s3", path);
  if (!location.ok()) return location.status();
  options.url = location->url;
  options.bucket = location->bucket;
  options.prefix = location->prefix;
  options.region = settings.Get("region", {"AWS_REGION", "AWS_DEFAULT_REGION"}, "us-east-1");
  std::string endpoint = settings.Get("endpoint", {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  // AWS itself: virtual-hosted style; another store: path style unless told.
  const bool aws = endpoint.empty();
  if (aws) endpoint = "https://s3." + options.region + ".amazonaws.com";
  options.path_style = settings.Get("path_style", {}, aws ? "false" : "true") == "true";
  if (!options.path_style) {
    const size_t scheme = endpoint.find("://");
    if (scheme != std::string::npos) endpoint.insert(scheme + 3, options.bucket + ".");
  }
  KETCD_RETURN_IF_ERROR(CheckEndpointScheme(settings, endpoint).WithContext(config.url));
  auto parts = SplitUrl(endpoint);
  if (!parts.ok()) return parts.status().WithContext(config.url);
  options.origin = parts->origin;
  options.host = parts->host;
  options.base_path = parts->path;
  options.credentials.access_key_id = settings.Get("access_key_id", {"AWS_ACCESS_KEY_ID"});
  auto secret = settings.Secret("secret_access_key", {"AWS_SECRET_ACCESS_KEY"});
  if (!secret.ok()) return secret.status().WithContext(config.url);
  options.credentials.secret_access_key = *secret;
  auto token = settings.Secret("session_token", {"AWS_SESSION_TOKEN"});
  if (!token.ok()) return token.status().WithContext(config.url);
  options.credentials.session_token = *token;
  if (options.credentials.access_key_id.empty() || options.credentials.secret_access_key.empty()) {
    return InvalidArgument(config.url +
                           ": no credentials: set access_key_id and secret_access_key(_file), or AWS_ACCESS_KEY_ID "
                           "and AWS_SECRET_ACCESS_KEY");
  }
  auto part_mib = settings.Number("part_size_mib", 8);
  auto attempts = settings.Number("attempts", 5);
  if (!part_mib.ok()) return part_mib.status().WithContext(config.url);
  if (!attempts.ok()) return attempts.status().WithContext(config.url);
  if (*part_mib < 5) return InvalidArgument(config.url + ": part_size_mib below S3's minimum of 5");
  options.part_size = static_cast<size_t>(*part_mib) << 20;
  options.attempts = static_cast<int>(*attempts);
  return std::unique_ptr<Destination>(new S3Destination(std::move(options)));
}

}  // namespace ketcd::backup
