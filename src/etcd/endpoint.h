// Endpoint: one etcd client URL as etcdctl accepts it.
//
// Accepted forms: "host:port", "http://host:port", "https://host:port", with
// host a name, an IPv4 address or a bracketed IPv6 address ("[::1]:2379").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace ketcd::etcd {

struct Endpoint {
  std::string scheme;  // "http", "https" or "" when none was given
  std::string host;    // without IPv6 brackets
  uint16_t port = 0;
  std::string text;  // as the user wrote it; used in messages and output

  bool https() const { return scheme == "https"; }
  // The address gRPC dials: "host:port", IPv6 hosts in brackets.
  std::string DialTarget() const;
};

// Parses one endpoint; the error names the offending text.
Result<Endpoint> ParseEndpoint(std::string_view text);
// Parses a comma-separated list such as the value of --endpoints.
Result<std::vector<Endpoint>> ParseEndpointList(std::string_view comma_separated);

}  // namespace ketcd::etcd
