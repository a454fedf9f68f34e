#include "cluster/tls_probe.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <memory>

namespace ketcd::cluster {
namespace {

struct HostPort {
  std::string host, port;
};

Result<HostPort> ParseUrl(const std::string& url) {
  std::string rest = url;
  if (const size_t scheme = rest.find("://"); scheme != std::string::npos) rest = rest.substr(scheme + 3);
  if (const size_t slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon + 1 == rest.size()) return InvalidArgument(url + ": no port");
  std::string host = rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return HostPort{host, rest.substr(colon + 1)};
}

// A connected TCP socket, or kUnavailable.
Result<int> Connect(const HostPort& target, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(target.host.c_str(), target.port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return Unavailable(target.host + ": cannot resolve");
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  if (connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS) {
    const std::string error = std::strerror(errno);
    close(fd);
    return Unavailable(target.host + ":" + target.port + ": " + error);
  }
  pollfd waiting{fd, POLLOUT, 0};
  int error = 0;
  socklen_t length = sizeof error;
  if (poll(&waiting, 1, static_cast<int>(timeout.count())) != 1 ||
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
    close(fd);
    return Unavailable(target.host + ":" + target.port + ": " + (error ? std::strerror(error) : "connect timed out"));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

// Records the leaf certificate's expiry during the handshake and accepts
// whatever the chain is.
int CaptureLeaf(int, X509_STORE_CTX* store) {
  if (X509_STORE_CTX_get_error_depth(store) == 0) {
    SSL* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* not_after = static_cast<int64_t*>(SSL_get_app_data(ssl));
    X509* leaf = X509_STORE_CTX_get_current_cert(store);
    int days = 0, seconds = 0;
    if (leaf != nullptr && ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(leaf)) == 1) {
      *not_after = static_cast<int64_t>(std::time(nullptr)) + int64_t{days} * 86400 + seconds;
    }
  }
  return 1;
}

}  // namespace

Result<int64_t> ServerCertificateNotAfter(const std::string& url, const TlsClientFiles& files,
                                          std::chrono::milliseconds timeout) {
  auto target = ParseUrl(url);
  if (!target.ok()) return target.status();
  auto fd = Connect(*target, timeout);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, CaptureLeaf);
  if (!files.cert_file.empty() && !files.key_file.empty()) {
    // Best effort: the certificate is read before the server checks ours.
    SSL_CTX_use_certificate_chain_file(context.get(), files.cert_file.c_str());
    SSL_CTX_use_PrivateKey_file(context.get(), files.key_file.c_str(), SSL_FILETYPE_PEM);
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), SSL_free);
  int64_t not_after = 0;
  SSL_set_app_data(ssl.get(), &not_after);
  SSL_set_fd(ssl.get(), *fd);
  SSL_set_tlsext_host_name(ssl.get(), target->host.c_str());
  SSL_connect(ssl.get());  // may fail after the certificate was seen
  ERR_clear_error();
  ssl.reset();
  close(*fd);
  if (not_after == 0) return Unavailable(url + ": no TLS certificate received");
  return not_after;
}

}  // namespace ketcd::cluster
