// Bad input gets one clear line on stderr and the documented exit code:
// 2 usage, 3 cannot connect/authenticate; never a crash or a hang.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

void ExpectCleanFailure(const CommandResult& result, int exit_code, const std::string& needle) {
  EXPECT_FALSE(result.timed_out) << Describe(result);
  EXPECT_EQ(result.exit_code, exit_code) << Describe(result);
  EXPECT_TRUE(result.out.empty()) << Describe(result);
  // Exactly one line, naming the problem.
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.err.rfind("ketcd: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find(needle), std::string::npos) << result.err;
}

class TlsErrorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cluster = EtcdCluster::Start({.members = 1, .tls = true});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster).release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  CommandResult Get(const std::string& ca, const std::string& cert, const std::string& key) {
    return RunKetcd({"--endpoints=" + cluster_->ClientUrl(0), "--cacert=" + ca, "--cert=" + cert,
                     "--key=" + key, "--dial-timeout=2s", "get", "k"});
  }
  static inline EtcdCluster* cluster_ = nullptr;
};

TEST_F(TlsErrorTest, CorrectFilesWork) {
  const auto& pki = cluster_->pki();
  auto result = Get(pki.ca_cert, pki.client_cert, pki.client_key);
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
}

TEST_F(TlsErrorTest, SkipTlsVerifyAcceptsAnUnknownServerCa) {
  const auto& pki = cluster_->pki();
  auto result = RunKetcd({"--endpoints=" + cluster_->ClientUrl(0), "--cacert=" + pki.other_ca_cert,
                          "--cert=" + pki.client_cert, "--key=" + pki.client_key,
                          "--insecure-skip-tls-verify", "get", "k"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
}

TEST_F(TlsErrorTest, WrongCaCannotConnect) {
  const auto& pki = cluster_->pki();
  ExpectCleanFailure(Get(pki.other_ca_cert, pki.client_cert, pki.client_key), 3, "cannot connect");
}

TEST_F(TlsErrorTest, MissingCertFileIsAUsageError) {
  const auto& pki = cluster_->pki();
  ExpectCleanFailure(Get(pki.ca_cert, cluster_->dir() + "/absent.crt", pki.client_key), 2,
                     "absent.crt: No such file or directory");
}

TEST_F(TlsErrorTest, ExpiredClientCertIsNamed) {
  const auto& pki = cluster_->pki();
  ExpectCleanFailure(Get(pki.ca_cert, pki.expired_client_cert, pki.expired_client_key), 3,
                     "expired on");
}

TEST_F(TlsErrorTest, MismatchedKeyIsAUsageError) {
  const auto& pki = cluster_->pki();
  ExpectCleanFailure(Get(pki.ca_cert, pki.client_cert, pki.server_key), 2, "does not match");
}

TEST_F(TlsErrorTest, PlaintextToTlsServerCannotConnect) {
  std::string url = cluster_->ClientUrl(0).substr(std::string("https://").size());
  ExpectCleanFailure(RunKetcd({"--endpoints=" + url, "--dial-timeout=1s", "get", "k"}), 3,
                     "cannot connect");
}

TEST(ConnectErrorTest, RefusedEndpointFailsFast) {
  auto result = RunKetcd(
      {"--endpoints=127.0.0.1:" + std::to_string(FreePort()), "--dial-timeout=2s", "get", "k"});
  ExpectCleanFailure(result, 3, "cannot connect");
  EXPECT_LT(result.elapsed, std::chrono::milliseconds(2000 + 1500));
}

TEST(ConnectErrorTest, SilentEndpointFailsWithinDialTimeout) {
  // A socket that accepts TCP connections (the kernel's backlog) but never
  // speaks: the handshake can only end by the dial timeout.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto result = RunKetcd({"--endpoints=127.0.0.1:" + std::to_string(ntohs(addr.sin_port)),
                          "--dial-timeout=1s", "endpoint", "status"});
  close(fd);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 3) << Describe(result);
  EXPECT_NE(result.err.find("--dial-timeout"), std::string::npos) << result.err;
  EXPECT_GE(result.elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(result.elapsed, std::chrono::milliseconds(1000 + 1500));
}

TEST(ConnectErrorTest, MalformedEndpointIsAUsageError) {
  ExpectCleanFailure(RunKetcd({"--endpoints=htp://127.0.0.1:2379", "get", "k"}), 2,
                     "malformed endpoint \"htp://127.0.0.1:2379\"");
  ExpectCleanFailure(RunKetcd({"--endpoints=127.0.0.1", "get", "k"}), 2, "missing port");
}

TEST(ConnectErrorTest, UnknownFlagOrCommandIsAUsageError) {
  ExpectCleanFailure(RunKetcd({"get", "k", "--no-such-flag"}), 2, "--no-such-flag");
  auto no_command = RunKetcd({});
  EXPECT_EQ(no_command.exit_code, 2) << Describe(no_command);
  ExpectCleanFailure(RunKetcd({"-w", "xml", "member", "list"}), 2, "xml");
}

TEST(AuthErrorTest, WrongPasswordCannotAuthenticate) {
  auto cluster = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  auto flags = (*cluster)->ConnectionFlags();
  Status auth = EnableRootAuth(**cluster, "right");
  ASSERT_TRUE(auth.ok()) << auth.message();
  ExpectCleanFailure(RunKetcd(Args(flags, {"--user=root", "--password=wrong", "get", "k"})), 3,
                     "authenticating as user \"root\"");
  auto right = RunKetcd(Args(flags, {"--user=root:right", "put", "k", "v"}));
  EXPECT_EQ(right.exit_code, 0) << Describe(right);
}

// A response larger than the cap is refused, naming the flag that raises it.
TEST(ReceiveLimitTest, ResponseOverMaxRecvBytesIsRefused) {
  auto cluster = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  auto flags = (*cluster)->ConnectionFlags();
  ASSERT_EQ(RunKetcd(Args(flags, {"put", "big", std::string(64 << 10, 'x')})).exit_code, 0);
  ExpectCleanFailure(RunKetcd(Args(flags, {"--max-recv-bytes=16384", "get", "big"})), 1, "--max-recv-bytes");
  auto raised = RunKetcd(Args(flags, {"--max-recv-bytes=1048576", "get", "big", "--print-value-only"}));
  EXPECT_EQ(raised.exit_code, 0) << Describe(raised);
  ExpectCleanFailure(RunKetcd(Args(flags, {"--max-recv-bytes=ten", "get", "big"})), 2, "max-recv-bytes");
}

}  // namespace
}  // namespace ketcd::testing
