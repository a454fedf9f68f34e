#include "backup/sigv4.h"

#include <algorithm>
#include <cctype>

#include "backup/http_client.h"
#include "util/sha256.h"
#include "util/string_building.h"

namespace ketcd::backup {
namespace {

std::string Sha256Hex(std::string_view bytes) {
  Sha256 digest;
  digest.Update(bytes);
  return HexBytes(digest.Finish());
}

// Header values: surrounding spaces dropped, inner runs of spaces made one.
std::string TrimValue(const std::string& value) {
  std::string trimmed;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !trimmed.empty();
      continue;
    }
    if (space) trimmed.push_back(' ');
    space = false;
    trimmed.push_back(c);
  }
  return trimmed;
}

}  // namespace

std::string CanonicalQuery(const std::map<std::string, std::string>& query) {
  std::map<std::string, std::string> encoded;  // sorted by encoded name
  for (const auto& [name, value] : query) encoded[UriEncode(name, true)] = UriEncode(value, true);
  std::string text;
  for (const auto& [name, value] : encoded) AppendToList(text, name + "=" + value, "&");
  return text;
}

std::string SigV4Authorization(const AwsCredentials& credentials, const std::string& region,
                               const std::string& service, const std::string& amz_date,
                               const SigV4Request& request) {
  std::string canonical_headers, signed_headers;
  for (const auto& [name, value] : request.headers) {  // std::map: sorted by name
    canonical_headers += name + ":" + TrimValue(value) + "\n";
    AppendToList(signed_headers, name, ";");
  }
  const std::string canonical_request = request.method + "\n" + request.canonical_uri + "\n" +
                                        CanonicalQuery(request.query) + "\n" + canonical_headers + "\n" +
                                        signed_headers + "\n" + request.payload_sha256;
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical_request);
  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  key = HmacSha256(key, "aws4_request");
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
         ", SignedHeaders=" + signed_headers + ", Signature=" + HexBytes(HmacSha256(key, string_to_sign));
}

}  // namespace ketcd::backup
