// /healthz must answer a liveness probe whatever other clients do: one that
// trickles its request a byte at a time, or many that connect and stay idle.
#include "backup/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace ketcd::backup {
namespace {

using Clock = std::chrono::steady_clock;

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

// GET `path`; the whole answer ("" when the server closed without one).
std::string Get(int port, const std::string& path) {
  const int fd = Connect(port);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

std::unique_ptr<MetricsServer> StartServer() {
  auto server = MetricsServer::Start("127.0.0.1:0", [](const std::string& path) {
    return path == "/healthz" ? HttpAnswer{200, "text/plain", "ok\n"} : HttpAnswer{404, "text/plain", "no\n"};
  });
  EXPECT_TRUE(server.ok()) << server.status().message();
  return server.ok() ? std::move(*server) : nullptr;
}

TEST(MetricsServerTest, AnswersWhileAClientTricklesItsRequest) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const int slow = Connect(server->port());
  std::thread trickle([slow] {
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    for (char c : request) {
      if (::send(slow, &c, 1, MSG_NOSIGNAL) != 1) return;  // dropped: done
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
    }
  });
  for (int probe = 0; probe < 4; ++probe) {
    const auto started = Clock::now();
    EXPECT_TRUE(Get(server->port(), "/healthz").starts_with("HTTP/1.1 200 OK")) << probe;
    EXPECT_LT(Clock::now() - started, std::chrono::milliseconds(500)) << probe;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  // The trickler had 2 s for its whole request head: it was dropped.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  char byte;
  timeval timeout{3, 0};
  ::setsockopt(slow, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  EXPECT_EQ(::recv(slow, &byte, 1, 0), 0);  // closed by the server, no answer
  trickle.join();
  ::close(slow);
}

TEST(MetricsServerTest, ManyIdleClientsDoNotStarveAProbe) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  std::vector<int> idle;
  for (int i = 0; i < 100; ++i) idle.push_back(Connect(server->port()));
  const auto started = Clock::now();
  EXPECT_TRUE(Get(server->port(), "/healthz").starts_with("HTTP/1.1 200 OK"));
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(3));
  for (int fd : idle) ::close(fd);
  EXPECT_TRUE(Get(server->port(), "/other").starts_with("HTTP/1.1 404"));
}

}  // namespace
}  // namespace ketcd::backup
