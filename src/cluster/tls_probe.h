// When an endpoint's TLS server certificate expires: a handshake that only
// reads the certificate (no trust decision: an expired or unknown
// certificate is exactly what an operator needs to see), with a timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "util/status.h"

namespace ketcd::cluster {

struct TlsClientFiles {
  std::string cert_file, key_file;  // offered when the server asks (mutual TLS)
};

// `url` is "https://host:port". Returns the certificate's notAfter as Unix
// seconds; kUnavailable when no handshake happens within `timeout`.
Result<int64_t> ServerCertificateNotAfter(const std::string& url, const TlsClientFiles& files,
                                          std::chrono::milliseconds timeout);

}  // namespace ketcd::cluster
