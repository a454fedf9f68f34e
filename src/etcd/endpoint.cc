#include "etcd/endpoint.h"

#include <charconv>

namespace ketcd::etcd {
namespace {

Status Malformed(std::string_view text, const std::string& why) {
  return InvalidArgument("malformed endpoint \"" + std::string(text) + "\": " + why);
}

bool ValidHostName(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string Endpoint::DialTarget() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<Endpoint> ParseEndpoint(std::string_view text) {
  Endpoint endpoint;
  endpoint.text = std::string(text);
  std::string_view rest = text;
  if (auto pos = rest.find("://"); pos != std::string_view::npos) {
    endpoint.scheme = std::string(rest.substr(0, pos));
    if (endpoint.scheme != "http" && endpoint.scheme != "https") {
      return Malformed(text, "scheme must be http or https");
    }
    rest.remove_prefix(pos + 3);
  }
  // A trailing slash is common in copied URLs; any other path is not an endpoint.
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return Malformed(text, "unexpected path");

  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return Malformed(text, "unclosed '[' in IPv6 address");
    endpoint.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (after.empty() || after.front() != ':') return Malformed(text, "missing port");
    port_text = after.substr(1);
    if (endpoint.host.empty()) return Malformed(text, "empty host");
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return Malformed(text, "missing port");
    endpoint.host = std::string(rest.substr(0, colon));
    port_text = rest.substr(colon + 1);
    if (!ValidHostName(endpoint.host)) return Malformed(text, "invalid host");
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Malformed(text, "port must be a number from 1 to 65535");
  }
  endpoint.port = static_cast<uint16_t>(port);
  return endpoint;
}

Result<std::vector<Endpoint>> ParseEndpointList(std::string_view comma_separated) {
  std::vector<Endpoint> endpoints;
  size_t start = 0;
  while (start <= comma_separated.size()) {
    size_t end = comma_separated.find(',', start);
    if (end == std::string_view::npos) end = comma_separated.size();
    std::string_view item = comma_separated.substr(start, end - start);
    if (!item.empty()) {
      auto endpoint = ParseEndpoint(item);
      if (!endpoint.ok()) return endpoint.status();
      endpoints.push_back(std::move(*endpoint));
    }
    start = end + 1;
  }
  if (endpoints.empty()) return InvalidArgument("no endpoints given");
  return endpoints;
}

}  // namespace ketcd::etcd
