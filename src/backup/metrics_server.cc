#include "backup/metrics_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace ketcd::backup {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// The answer (a few KiB) fits the socket's send buffer; a client that
// does not read gets what fits within 1 s, then is dropped.
void SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (sent < bytes.size() && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd writable{fd, POLLOUT, 0};
      ::poll(&writable, 1, 100);
      continue;
    }
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen, Handler handler) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("--listen " + listen + ": HOST:PORT or :PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* addresses = nullptr;
  if (const int error = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &addresses); error) {
    return InvalidArgument("--listen " + listen + ": " + gai_strerror(error));
  }
  int fd = -1;
  std::string why = "no address";
  for (addrinfo* a = addresses; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (fd >= 0 && ::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 64) == 0) break;
    why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  freeaddrinfo(addresses);
  if (fd < 0) return Unavailable("--listen " + listen + ": " + why);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  const int bound_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::unique_ptr<MetricsServer>(new MetricsServer(fd, bound_port, std::move(handler)));
}

MetricsServer::MetricsServer(int fd, int port, Handler handler)
    : listen_fd_(fd), port_(port), handler_(std::move(handler)) {
  if (::pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
  thread_ = std::thread([this] { Serve(); });
}

MetricsServer::~MetricsServer() {
  if (wake_[1] >= 0) (void)::write(wake_[1], "x", 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

namespace {

// A client's request in progress: what it sent so far, and the moment its
// whole request head must have arrived.
struct PendingRequest {
  int fd;
  std::chrono::steady_clock::time_point deadline;
  std::string head;
};

constexpr auto kHeadDeadline = std::chrono::seconds(2);
constexpr size_t kMaxHeadBytes = 8192;
constexpr size_t kMaxClients = 32;

}  // namespace

// One thread, many clients: every connection is polled together and must
// deliver its request head within kHeadDeadline of being accepted, however
// it spaces its bytes, so no client (a slow one, a thousand idle ones) can
// keep /healthz from answering a probe. At kMaxClients the oldest is
// dropped for a new one; a failing accept (out of descriptors) pauses
// accepting briefly instead of spinning.
void MetricsServer::Serve() {
  std::vector<PendingRequest> clients;
  auto accept_paused_until = std::chrono::steady_clock::time_point::min();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = clients.begin(); it != clients.end();) {
      if (it->deadline > now) {
        ++it;
        continue;
      }
      ::close(it->fd);  // too slow: dropped
      it = clients.erase(it);
    }
    std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}};
    const bool accepting = now >= accept_paused_until;
    if (accepting) fds.push_back({listen_fd_, POLLIN, 0});
    const size_t first_client = fds.size();
    auto next_deadline = accepting ? now + std::chrono::hours(1) : accept_paused_until;
    for (const PendingRequest& client : clients) {
      fds.push_back({client.fd, POLLIN, 0});
      next_deadline = std::min(next_deadline, client.deadline);
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_deadline - now).count() + 1;
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait)) < 0 && errno != EINTR) break;
    if (fds[0].revents) break;
    for (size_t i = fds.size(); i-- > first_client;) {
      if (!fds[i].revents) continue;
      PendingRequest& client = clients[i - first_client];
      char buffer[2048];
      const ssize_t n = ::recv(client.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      bool done = n <= 0;
      if (n > 0) {
        client.head.append(buffer, static_cast<size_t>(n));
        if (client.head.find("\r\n\r\n") != std::string::npos) {
          Answer(client.fd, client.head);
          done = true;
        }
        done = done || client.head.size() >= kMaxHeadBytes;
      }
      if (done) {
        ::close(client.fd);
        clients.erase(clients.begin() + static_cast<long>(i - first_client));
      }
    }
    if (accepting && fds[1].revents & POLLIN) {
      const int connection = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (connection < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          accept_paused_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        }
        continue;
      }
      if (clients.size() >= kMaxClients) {
        ::close(clients.front().fd);
        clients.erase(clients.begin());
      }
      clients.push_back({connection, std::chrono::steady_clock::now() + kHeadDeadline, {}});
    }
  }
  for (const PendingRequest& client : clients) ::close(client.fd);
}

void MetricsServer::Answer(int connection, const std::string& request) {
  const size_t first_space = request.find(' ');
  const size_t second_space = request.find(' ', first_space + 1);
  if (first_space == std::string::npos || second_space == std::string::npos) return;
  const std::string method = request.substr(0, first_space);
  std::string path = request.substr(first_space + 1, second_space - first_space - 1);
  path = path.substr(0, path.find('?'));
  HttpAnswer answer = method == "GET" || method == "HEAD" ? handler_(path) : HttpAnswer{405, "text/plain", "GET only\n"};
  std::string head = "HTTP/1.1 " + std::to_string(answer.status) + " " + Reason(answer.status) +
                     "\r\nContent-Type: " + answer.content_type + "\r\nContent-Length: " +
                     std::to_string(answer.body.size()) + "\r\nConnection: close\r\n\r\n";
  SendAll(connection, method == "HEAD" ? head : head + answer.body);
}

}  // namespace ketcd::backup
