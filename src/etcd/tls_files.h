// Loads and checks the TLS files of a ConnectionConfig before any dial, so
// that a missing, unreadable, mismatched or expired file is reported by name
// instead of as an opaque handshake failure.
#pragma once

#include <string>

#include "etcd/connection_config.h"
#include "util/status.h"

namespace ketcd::etcd {

struct TlsMaterial {
  std::string ca_pem;    // empty: the system's trust store
  std::string cert_pem;  // empty: no client certificate
  std::string key_pem;
};

// Errors: kInvalidArgument for unreadable or malformed files and a key that
// does not match its certificate; kUnauthenticated for an expired or
// not-yet-valid client certificate.
Result<TlsMaterial> LoadTlsMaterial(const ConnectionConfig& config);

}  // namespace ketcd::etcd
