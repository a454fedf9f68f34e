// Where kubectl-style resource names live in etcd: `pods`, `po`, `pod`,
// `deployments.apps`, `widgets.example.com` -> the key prefixes (relative
// to /registry/) that may hold them, most likely first. Facts from
// ../shared/notes/k8s-storage.md (1.5): built-in resources drop their
// group, a few have special prefixes (services -> services/specs, nodes ->
// minions, ...), custom resources live under <group>/<plural>.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ketcd::k8s {

struct ResourcePrefixes {
  std::vector<std::string> candidates;
  // The name is a built-in resource or one of kubectl's short names (so an
  // empty result means "no such objects", not "no such resource").
  bool known = false;
  // Given without a group and a built-in resource: its prefix, where the
  // API server stores it whatever else exists (no need to look).
  std::string built_in;
};

ResourcePrefixes ResourcePrefixesFor(std::string_view argument);

// The name kubectl knows the objects under a storage prefix (relative to
// /registry/) by, as `get` accepts it: "minions" -> "nodes",
// "services/specs" -> "services", "crd.projectcalico.org/ippools" ->
// "ippools.crd.projectcalico.org". A prefix of no resource ("ranges",
// "masterleases") is its own name.
std::string KubectlResourceName(std::string_view storage_prefix);

// Every built-in resource name and short name `get` knows, sorted (shell
// completion offers them).
std::vector<std::string> BuiltInResourceNames();

}  // namespace ketcd::k8s
