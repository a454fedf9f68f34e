// azblob://container[/prefix] on Azure Blob Storage (or Azurite): SharedKey
// or SAS authorization; objects larger than one block are streamed as
// blocks and become visible only when the block list is committed
// (uncommitted blocks are discarded by the service).
#include <algorithm>
#include <ctime>

#include "backup/chunked_upload.h"
#include "backup/destination.h"
#include "backup/http_client.h"
#include "backup/object_store_destination.h"
#include "backup/store_common.h"
#include "util/base64.h"
#include "util/sha256.h"
#include "util/string_building.h"
#include "util/utc_time.h"

namespace ketcd::backup {
namespace {

constexpr char kApiVersion[] = "2021-08-06";

struct AzureOptions {
  std::string url, account, container, prefix, origin, base_path;
  std::string key;        // decoded account key (SharedKey), or
  std::string sas_token;  // a SAS query string
  size_t block_size = 0;
  int attempts = 0;
};

using Query = std::map<std::string, std::string>;

class AzureStore {
 public:
  explicit AzureStore(AzureOptions options) : options_(std::move(options)) {}
  const AzureOptions& options() const { return options_; }

  // One request on blob `blob` ("" for the container); the answer when it
  // is 2xx, else a Status naming the service's error code.
  Result<HttpResponse> Call(const std::string& method, const std::string& blob, const Query& query,
                            std::string_view body = {}, ByteSink* sink = nullptr,
                            std::map<std::string, std::string> ms_headers = {}) {
    const std::string path =
        options_.base_path + "/" + options_.container + (blob.empty() ? "" : "/" + UriEncode(blob, false));
    std::string query_text;
    for (const auto& [name, value] : query) {
      AppendToList(query_text, UriEncode(name, true) + "=" + UriEncode(value, true), "&");
    }
    if (!options_.sas_token.empty()) AppendToList(query_text, options_.sas_token, "&");
    ms_headers["x-ms-date"] = HttpDateUtc(std::time(nullptr));
    ms_headers["x-ms-version"] = kApiVersion;
    HttpRequest request;
    request.method = method;
    request.url = options_.origin + path + (query_text.empty() ? "" : "?" + query_text);
    request.body = body;
    request.response_sink = sink;
    for (const auto& [name, value] : ms_headers) request.headers.emplace_back(name, value);
    if (options_.sas_token.empty()) {
      request.headers.emplace_back("Authorization", SharedKey(method, path, query, body.size(), ms_headers));
    }
    auto response = SendWithRetries(http_, request, options_.attempts, std::chrono::seconds(1));
    if (!response.ok()) return response.status();
    if (!response->ok()) {
      std::string code = response->headers.count("x-ms-error-code") ? response->headers.at("x-ms-error-code") : "";
      const auto codes = XmlTexts(response->body, "Code");
      const auto messages = XmlTexts(response->body, "Message");
      if (code.empty() && !codes.empty()) code = codes.front();
      return StoreError(method, blob.empty() ? "container" : blob, response->status, code,
                        messages.empty() ? "" : messages.front(), "check the account key or SAS token");
    }
    return response;
  }

 private:
  // The Shared Key scheme: the request's canonical form signed with the
  // account key. Only the fields ketcd sends are non-empty.
  std::string SharedKey(const std::string& method, const std::string& path, const Query& query, size_t length,
                        const std::map<std::string, std::string>& ms_headers) const {
    std::string text = method + "\n\n\n" + (length ? std::to_string(length) : "") + "\n\n\n\n\n\n\n\n\n";
    for (const auto& [name, value] : ms_headers) text += name + ":" + value + "\n";  // sorted, lower case
    text += "/" + options_.account + path;
    for (const auto& [name, value] : query) text += "\n" + name + ":" + value;
    return "SharedKey " + options_.account + ":" + Base64Encode(HmacSha256(options_.key, text));
  }

  AzureOptions options_;
  HttpClient http_;
};

class AzureSink : public ChunkedUploadSink {
 public:
  AzureSink(AzureStore& store, std::string blob)
      : ChunkedUploadSink(store.options().block_size), store_(store), blob_(std::move(blob)) {}

 protected:
  Status PutWhole(std::string_view bytes) override {
    return store_.Call("PUT", blob_, {}, bytes, nullptr, {{"x-ms-blob-type", "BlockBlob"}}).status();
  }
  Status UploadPart(int number, std::string_view bytes) override {
    return store_.Call("PUT", blob_, {{"comp", "block"}, {"blockid", BlockId(number)}}, bytes).status();
  }
  Status CompleteParts(int count) override {
    std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
    for (int i = 1; i <= count; ++i) body += "<Latest>" + BlockId(i) + "</Latest>";
    body += "</BlockList>";
    return store_.Call("PUT", blob_, {{"comp", "blocklist"}}, body).status();
  }

 private:
  // Every block id of a blob must have the same length (Azure takes at
  // most 50,000 blocks, so eight digits always suffice; the buffer holds any int).
  static std::string BlockId(int number) {
    char id[24];
    std::snprintf(id, sizeof id, "block-%08d", number);
    return Base64Encode(id);
  }
  AzureStore& store_;
  std::string blob_;
};

class AzureBlobDestination : public ObjectStoreDestination<AzureStore> {
 public:
  using ObjectStoreDestination::ObjectStoreDestination;

  Result<std::unique_ptr<ByteSink>> Create(const std::string& name) override {
    // The container is made on use, like a directory (every time: a store
    // may have been reset). A SAS token may not be allowed to; then the
    // upload itself reports what is wrong.
    auto made = store_.Call("PUT", "", {{"restype", "container"}});
    if (!made.ok() && made.status().code() == ErrorCode::kUnavailable) return made.status();
    return std::unique_ptr<ByteSink>(new AzureSink(store_, store_.options().prefix + name));
  }

  Result<std::vector<std::string>> List() override {
    const std::string& prefix = store_.options().prefix;
    std::vector<std::string> names;
    std::string marker;
    do {
      Query query{{"restype", "container"}, {"comp", "list"}, {"prefix", prefix}};
      if (!marker.empty()) query["marker"] = marker;
      auto page = store_.Call("GET", "", query);
      if (!page.ok()) {
        if (page.status().message().find("ContainerNotFound") != std::string::npos) return names;
        return page.status();
      }
      const size_t blobs = page->body.find("<Blobs>");
      for (const std::string& blob : XmlTexts(blobs == std::string::npos ? "" : page->body.substr(blobs), "Name")) {
        AddObjectName(blob, prefix, names);
      }
      const auto next = XmlTexts(page->body, "NextMarker");
      marker = next.empty() ? "" : next.front();
    } while (!marker.empty());
    std::sort(names.begin(), names.end());
    return names;
  }
};

}  // namespace

Result<std::unique_ptr<Destination>> OpenAzureBlobDestination(const std::string& path,
                                                              const DestinationConfig& config) {
  const StoreSettings settings(config.settings);
  AzureOptions options;
  auto location = ParseStoreLocation("azblob", path);
  if (!location.ok()) return location.status();
  options.url = location->url;
  options.container = location->bucket;
  options.prefix = location->prefix;
  options.account = settings.Get("account", {"AZURE_STORAGE_ACCOUNT"});
  if (options.account.empty()) return InvalidArgument(config.url + ": no account: set account or AZURE_STORAGE_ACCOUNT");
  const std::string endpoint_url = settings.Get("endpoint", {}, "https://" + options.account + ".blob.core.windows.net");
  KETCD_RETURN_IF_ERROR(CheckEndpointScheme(settings, endpoint_url).WithContext(config.url));
  auto endpoint = SplitUrl(endpoint_url);
  if (!endpoint.ok()) return endpoint.status().WithContext(config.url);
  options.origin = endpoint->origin;
  options.base_path = endpoint->path;
  auto key = settings.Secret("key", {"AZURE_STORAGE_KEY"});
  auto sas = settings.Secret("sas_token", {"AZURE_STORAGE_SAS_TOKEN"});
  if (!key.ok()) return key.status().WithContext(config.url);
  if (!sas.ok()) return sas.status().WithContext(config.url);
  options.sas_token = sas->starts_with("?") ? sas->substr(1) : *sas;
  if (options.sas_token.empty()) {
    if (key->empty()) {
      return InvalidArgument(config.url + ": no credentials: set key(_file) or sas_token(_file), or AZURE_STORAGE_KEY "
                                          "or AZURE_STORAGE_SAS_TOKEN");
    }
    if (!Base64Decode(*key, &options.key)) return InvalidArgument(config.url + ": the account key is not base64");
  }
  auto block_mib = settings.Number("block_size_mib", 8);
  auto attempts = settings.Number("attempts", 5);
  if (!block_mib.ok()) return block_mib.status().WithContext(config.url);
  if (!attempts.ok()) return attempts.status().WithContext(config.url);
  options.block_size = static_cast<size_t>(*block_mib) << 20;
  options.attempts = static_cast<int>(*attempts);
  return std::unique_ptr<Destination>(new AzureBlobDestination(std::move(options)));
}

}  // namespace ketcd::backup
