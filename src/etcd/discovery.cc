#include "etcd/discovery.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <sstream>

namespace ketcd::etcd {
namespace {

namespace fs = std::filesystem;

bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

std::string JoinRoot(const std::string& root, const std::string& absolute) {
  return (fs::path(root) / fs::path(absolute).relative_path()).string();
}

// kubeadm's static pod passes flags as "--name=value" entries of the etcd
// container's command list.
std::optional<std::string> ManifestFlag(const YAML::Node& manifest, const std::string& name) {
  const std::string prefix = "--" + name + "=";
  const YAML::Node containers = manifest["spec"]["containers"];
  if (!containers || !containers.IsSequence()) return std::nullopt;
  for (const auto& container : containers) {
    const YAML::Node command = container["command"];
    if (!command || !command.IsSequence()) continue;
    for (const auto& arg : command) {
      if (!arg.IsScalar()) continue;
      const std::string text = arg.as<std::string>();
      if (text.rfind(prefix, 0) == 0) return text.substr(prefix.size());
    }
  }
  return std::nullopt;
}

// The version tag of the etcd container's image ("...etcd:3.6.16-0" ->
// "3.6.16"); empty when it has none that starts with a digit.
std::string ImageVersion(const YAML::Node& manifest) {
  const YAML::Node containers = manifest["spec"]["containers"];
  if (!containers || !containers.IsSequence()) return "";
  for (const auto& container : containers) {
    const YAML::Node image = container["image"];
    if (!image || !image.IsScalar()) continue;
    const std::string text = image.as<std::string>();
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find('/', colon) != std::string::npos) continue;
    std::string tag = text.substr(colon + 1);
    if (tag.rfind('v', 0) == 0) tag.erase(0, 1);
    if (tag.empty() || !std::isdigit(static_cast<unsigned char>(tag[0]))) continue;
    return tag.substr(0, tag.find('-'));
  }
  return "";
}

// Picks a loopback URL from a comma-separated URL list when there is one:
// ketcd runs on the node itself, and loopback avoids firewalls.
std::string PreferLoopback(const std::string& urls) {
  std::stringstream stream(urls);
  std::string url, first;
  while (std::getline(stream, url, ',')) {
    if (first.empty()) first = url;
    if (url.find("://127.") != std::string::npos || url.find("://localhost") != std::string::npos ||
        url.find("://[::1]") != std::string::npos) {
      return url;
    }
  }
  return first;
}

std::optional<DiscoveredEtcd> DiscoverKubeadm(const std::string& root) {
  const std::string manifest_path = JoinRoot(root, "/etc/kubernetes/manifests/etcd.yaml");
  const std::string pki = JoinRoot(root, "/etc/kubernetes/pki");
  if (!Exists(manifest_path) && !Exists(pki + "/etcd/ca.crt")) return std::nullopt;

  DiscoveredEtcd found{"kubeadm", manifest_path, "https://127.0.0.1:2379", "", "", "", ""};
  if (Exists(manifest_path)) {
    try {
      YAML::Node manifest = YAML::LoadFile(manifest_path);
      if (auto urls = ManifestFlag(manifest, "listen-client-urls")) {
        found.endpoint = PreferLoopback(*urls);
      } else if (auto advertised = ManifestFlag(manifest, "advertise-client-urls")) {
        found.endpoint = PreferLoopback(*advertised);
      }
      if (auto ca = ManifestFlag(manifest, "trusted-ca-file")) found.ca_file = JoinRoot(root, *ca);
      found.etcd_version = ImageVersion(manifest);
    } catch (const YAML::Exception&) {
      // An unreadable manifest still leaves the well-known defaults usable.
    }
  } else {
    found.source = pki + "/etcd";
  }
  if (found.ca_file.empty() || !Exists(found.ca_file)) found.ca_file = pki + "/etcd/ca.crt";
  // A client certificate etcd trusts: the API server's, else the health
  // check client's, else the server certificate (kubeadm signs it for
  // client auth too).
  const std::pair<const char*, const char*> candidates[] = {
      {"/apiserver-etcd-client.crt", "/apiserver-etcd-client.key"},
      {"/etcd/healthcheck-client.crt", "/etcd/healthcheck-client.key"},
      {"/etcd/server.crt", "/etcd/server.key"},
  };
  for (const auto& [cert, key] : candidates) {
    if (Exists(pki + cert) && Exists(pki + key)) {
      found.cert_file = pki + cert;
      found.key_file = pki + key;
      break;
    }
  }
  return found;
}

// RKE2 and k3s keep etcd's client TLS under <data dir>/server/tls/etcd and
// listen on loopback.
std::optional<DiscoveredEtcd> DiscoverRancher(const std::string& root, const std::string& name,
                                              const std::string& data_dir) {
  const std::string tls = JoinRoot(root, data_dir + "/server/tls/etcd");
  if (!Exists(tls + "/server-ca.crt")) return std::nullopt;
  return DiscoveredEtcd{name,
                        tls,
                        "https://127.0.0.1:2379",
                        tls + "/server-ca.crt",
                        tls + "/server-client.crt",
                        tls + "/server-client.key",
                        ""};
}

// This machine's addresses as RKE writes them into file names (dots as dashes).
std::set<std::string> LocalAddressNames() {
  std::set<std::string> names;
  ifaddrs* addresses = nullptr;
  if (getifaddrs(&addresses) != 0) return names;
  for (const ifaddrs* at = addresses; at != nullptr; at = at->ifa_next) {
    if (at->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const int family = at->ifa_addr->sa_family;
    const void* address = nullptr;
    if (family == AF_INET) address = &reinterpret_cast<const sockaddr_in*>(at->ifa_addr)->sin_addr;
    if (family == AF_INET6) address = &reinterpret_cast<const sockaddr_in6*>(at->ifa_addr)->sin6_addr;
    if (address == nullptr || inet_ntop(family, address, text, sizeof text) == nullptr) continue;
    std::string name = text;
    std::replace(name.begin(), name.end(), '.', '-');
    names.insert(name);
  }
  freeifaddrs(addresses);
  return names;
}

// RKE (v1) runs etcd in a container listening on every address, its files
// in /etc/kubernetes/ssl: the CA kube-ca.pem and, per etcd node,
// kube-etcd-<address, dots as dashes>.pem and -key.pem (valid for
// 127.0.0.1 too). The node's own pair is the one naming one of its
// addresses; else the first.
std::optional<DiscoveredEtcd> DiscoverRke(const std::string& root) {
  const std::string ssl = JoinRoot(root, "/etc/kubernetes/ssl");
  if (!Exists(ssl + "/kube-ca.pem")) return std::nullopt;
  const std::string prefix = "kube-etcd-";
  std::vector<std::string> hosts;  // the <address> parts, sorted
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(ssl, error)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind(prefix, 0) != 0 || file.size() <= prefix.size() + 4 ||
        file.compare(file.size() - 4, 4, ".pem") != 0) {
      continue;
    }
    const std::string host = file.substr(prefix.size(), file.size() - prefix.size() - 4);
    if (host.size() > 4 && host.compare(host.size() - 4, 4, "-key") == 0) continue;
    if (Exists(ssl + "/" + prefix + host + "-key.pem")) hosts.push_back(host);
  }
  if (hosts.empty()) return std::nullopt;
  std::sort(hosts.begin(), hosts.end());
  const std::set<std::string> local = LocalAddressNames();
  auto own = std::find_if(hosts.begin(), hosts.end(), [&](const std::string& host) { return local.count(host) > 0; });
  const std::string host = own != hosts.end() ? *own : hosts.front();
  return DiscoveredEtcd{"rke",
                        ssl,
                        "https://127.0.0.1:2379",
                        ssl + "/kube-ca.pem",
                        ssl + "/" + prefix + host + ".pem",
                        ssl + "/" + prefix + host + "-key.pem",
                        ""};
}

}  // namespace

std::optional<DiscoveredEtcd> DiscoverControlPlaneEtcd(const std::string& root) {
  if (auto found = DiscoverKubeadm(root)) return found;
  if (auto found = DiscoverRke(root)) return found;
  if (auto found = DiscoverRancher(root, "rke2", "/var/lib/rancher/rke2")) return found;
  if (auto found = DiscoverRancher(root, "k3s", "/var/lib/rancher/k3s")) return found;
  return std::nullopt;
}

}  // namespace ketcd::etcd
