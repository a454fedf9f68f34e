// Zero-config discovery on Kubernetes control-plane nodes: finds the local
// etcd client endpoint and TLS files that kubeadm, RKE (v1), RKE2 or k3s
// installed.
#pragma once

#include <optional>
#include <string>

namespace ketcd::etcd {

struct DiscoveredEtcd {
  std::string distribution;  // "kubeadm", "rke", "rke2" or "k3s"
  std::string source;        // the file or directory the settings came from
  std::string endpoint;
  std::string ca_file, cert_file, key_file;
  // The etcd version the node runs, when its manifest names an image with a
  // version tag (kubeadm: "registry.k8s.io/etcd:3.6.16-0" gives "3.6.16").
  std::string etcd_version;
};

// Looks under `root` ("/" on a real node; a test tree in tests) and returns the
// first installation found, in the order kubeadm, RKE, RKE2, k3s.
std::optional<DiscoveredEtcd> DiscoverControlPlaneEtcd(const std::string& root);

}  // namespace ketcd::etcd
