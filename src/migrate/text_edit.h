// Edits of addresses inside configuration text that Kubernetes keeps in
// etcd: YAML documents in ConfigMaps (kubeadm's ClusterConfiguration,
// KubeletConfiguration, KubeProxyConfiguration) and JSON (flannel's
// net-conf.json, custom resources such as Calico IPPools). Only the address
// tokens of the named keys change; indentation, quoting, comments and every
// other byte stay as written, so operators can diff the result.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd::migrate {

// Gets one address-like token (characters of IPv4/IPv6 addresses and CIDRs,
// e.g. "10.96.0.0/12"); returns its replacement, or nullopt to keep it.
// Tokens that are not addresses at all must be kept.
using TokenRewriter = std::function<Result<std::optional<std::string>>(std::string_view token)>;

// Rewrites the tokens in the values of YAML mapping key `key` at any depth:
// "key: value", "key: [a, b]", "key: a,b" and block lists
// ("key:" followed by "- a" lines). Returns nullopt when nothing changed.
Result<std::optional<std::string>> RewriteYamlKey(std::string_view text, std::string_view key,
                                                  const TokenRewriter& rewrite);

// Rewrites the tokens after "--flag=" on every line holding it (command
// lines in static-pod manifests and systemd units).
Result<std::optional<std::string>> RewriteFlagValue(std::string_view text, std::string_view flag,
                                                    const TokenRewriter& rewrite);

// Rewrites the tokens inside the JSON string values at `path` (object keys,
// outermost first; arrays on the way are looked through). Malformed JSON is
// kDataLoss. Returns nullopt when nothing changed.
Result<std::optional<std::string>> RewriteJsonStrings(std::string_view text,
                                                      std::span<const std::string> path,
                                                      const TokenRewriter& rewrite);

// The same for a custom resource the API server stored as CBOR
// (CBORServingAndStorage): the object is decoded, its strings at `path`
// rewritten and encoded again as the API server encodes (k8s/cbor.h). An
// object whose stored bytes do not re-encode exactly is kFailed: only the
// addresses may change.
Result<std::optional<std::string>> RewriteCborStrings(std::string_view bytes,
                                                      std::span<const std::string> path,
                                                      const TokenRewriter& rewrite);

}  // namespace ketcd::migrate
