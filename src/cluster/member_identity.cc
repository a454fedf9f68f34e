#include "cluster/member_identity.h"

#include <openssl/sha.h>

#include <algorithm>
#include <set>

namespace ketcd::cluster {
namespace {

uint64_t FirstWordOfSha1(const std::string& bytes) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  uint64_t word = 0;
  for (int i = 0; i < 8; ++i) word = (word << 8) | digest[i];
  return word;
}

// etcd accepts http/https/unix/unixs URLs with a host and no path.
Status CheckPeerUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https" && scheme != "unix" && scheme != "unixs") {
    return InvalidArgument("peer URL \"" + url + "\": scheme must be http or https");
  }
  const std::string rest = url.substr(scheme_end + 3);
  if (rest.empty() || rest.find('/') != std::string::npos) {
    return InvalidArgument("peer URL \"" + url + "\": expected scheme://host:port");
  }
  if (rest.find(':') == std::string::npos && scheme.rfind("unix", 0) != 0) {
    return InvalidArgument("peer URL \"" + url + "\": missing port");
  }
  return Status::Ok();
}

}  // namespace

Result<std::map<std::string, std::vector<std::string>>> ParseInitialCluster(
    const std::string& text) {
  std::map<std::string, std::vector<std::string>> members;
  std::set<std::string> urls_seen;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string entry = text.substr(start, end - start);
    const size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == entry.size()) {
      return InvalidArgument("--initial-cluster: \"" + entry + "\" is not name=peer-url");
    }
    const std::string url = entry.substr(equals + 1);
    KETCD_RETURN_IF_ERROR(CheckPeerUrl(url).WithContext("--initial-cluster"));
    if (!urls_seen.insert(url).second) {
      return InvalidArgument("--initial-cluster: peer URL " + url + " is given twice");
    }
    members[entry.substr(0, equals)].push_back(url);
    start = end + 1;
  }
  if (members.empty()) return InvalidArgument("--initial-cluster is empty");
  return members;
}

uint64_t MemberId(std::vector<std::string> peer_urls, const std::string& cluster_token) {
  std::sort(peer_urls.begin(), peer_urls.end());
  std::string bytes;
  for (const auto& url : peer_urls) bytes += url;
  return FirstWordOfSha1(bytes + cluster_token);
}

uint64_t ClusterId(std::vector<uint64_t> member_ids) {
  std::sort(member_ids.begin(), member_ids.end());
  std::string bytes;
  for (uint64_t id : member_ids) {
    for (int shift = 56; shift >= 0; shift -= 8) bytes += static_cast<char>(id >> shift);
  }
  return FirstWordOfSha1(bytes);
}

}  // namespace ketcd::cluster
