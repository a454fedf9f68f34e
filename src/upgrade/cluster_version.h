// The cluster version etcd has settled on (the lowest server version of its
// members once all agree), which no gRPC call reports: read from a member's
// /version HTTP endpoint, {"etcdserver":"3.5.30","etcdcluster":"3.5.0"}.
#pragma once

#include <string>

#include "etcd/connection_config.h"
#include "util/status.h"

namespace ketcd::upgrade {

// `client_url` is a member's client URL; TLS files and timeouts from `config`.
Result<std::string> ReadClusterVersion(const std::string& client_url,
                                       const etcd::ConnectionConfig& config);

}  // namespace ketcd::upgrade
