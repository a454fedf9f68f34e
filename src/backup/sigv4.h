// AWS Signature Version 4 for S3 requests (header-based authorization).
// Facts from AWS's "Signature Version 4 signing process" and its test suite.
#pragma once

#include <map>
#include <string>

namespace ketcd::backup {

struct AwsCredentials {
  std::string access_key_id, secret_access_key, session_token;
};

struct SigV4Request {
  std::string method;
  std::string canonical_uri;  // already URI-encoded path, "/" for the root
  std::map<std::string, std::string> query;    // decoded names and values
  std::map<std::string, std::string> headers;  // lower-case names; host and x-amz-date included
  std::string payload_sha256;                  // hex
};

// The value of the Authorization header. `amz_date` is the request's
// x-amz-date (yyyymmddThhmmssZ).
std::string SigV4Authorization(const AwsCredentials& credentials, const std::string& region,
                               const std::string& service, const std::string& amz_date,
                               const SigV4Request& request);

// name=value pairs, encoded and sorted as SigV4 wants; also the URL's query.
std::string CanonicalQuery(const std::map<std::string, std::string>& query);

}  // namespace ketcd::backup
