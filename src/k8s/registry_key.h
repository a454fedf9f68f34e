// The layout of Kubernetes keys in etcd (../shared/notes/k8s-storage.md 1.5):
// <prefix><resource>/<namespace>/<name> or <prefix><resource>/<name>, where
// <resource> is a plural ("pods"), a special prefix ("services/specs",
// "services/endpoints") or <group>/<plural> for custom and aggregated
// resources ("cilium.io/ciliumnodes").
#pragma once

#include <string>
#include <string_view>

namespace ketcd::k8s {

// Views into the key it was parsed from (no copies: ls and stats parse every key).
struct RegistryKey {
  std::string_view resource;    // "pods", "services/specs", "cilium.io/ciliumnodes"
  std::string_view namespace_;  // empty for cluster-scoped objects
  std::string_view name;
};

// Splits `key` (which starts with `prefix`, e.g. "/registry/"). Keys with
// fewer parts than a resource and a name give an empty name.
RegistryKey ParseRegistryKey(std::string_view key, std::string_view prefix);

// The key prefix of the resource `key` is stored under, its first segment
// taken as the registry prefix ("/registry/pods/ns/p" gives "/registry/pods/");
// "" when the key names no object under a resource.
std::string ResourcePrefixOf(std::string_view key);

}  // namespace ketcd::k8s
