// A throwaway PKI for TLS tests, made with OpenSSL at test time: a CA, a
// server certificate for 127.0.0.1/localhost, a client certificate, an
// expired client certificate, and an unrelated CA (for "wrong CA" cases).
#pragma once

#include <string>

namespace ketcd::testing {

struct TestPki {
  std::string ca_cert;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string expired_client_cert, expired_client_key;
  std::string other_ca_cert;
};

// Writes every file under `dir` (which must exist) and returns their paths.
// Aborts the test binary on an OpenSSL failure: there is nothing to test then.
TestPki MakeTestPki(const std::string& dir);

}  // namespace ketcd::testing
