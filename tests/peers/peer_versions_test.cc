// The peers scripts/install-peers built are the releases tests/peers/*
// pins: each binary reports the version its wrapper's go.mod requires.
#include <gtest/gtest.h>

#include "support/cli_runner.h"
#include "support/peers.h"

namespace ketcd::testing {
namespace {

struct VersionProbe {
  std::string peer, binary;
  std::vector<std::string> args;
  std::string expected_prefix;  // printed right before the version
};

void PrintTo(const VersionProbe& probe, std::ostream* out) { *out << probe.peer << "/" << probe.binary; }

class PeerVersionTest : public ::testing::TestWithParam<VersionProbe> {};

TEST_P(PeerVersionTest, PrintsThePinnedVersion) {
  const VersionProbe& probe = GetParam();
  KETCD_SKIP_UNLESS(MissingPeer(probe.peer, probe.binary));
  std::string pinned = PinnedPeerVersion(probe.peer);
  ASSERT_FALSE(pinned.empty()) << "no pinned version in tests/peers/" << probe.peer;
  auto result = RunCommand(Args({PeerBinary(probe.peer, probe.binary)}, probe.args));
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_TRUE(Contains(result.out, probe.expected_prefix + pinned + "\n")) << result.out;
}

INSTANTIATE_TEST_SUITE_P(
    Peers, PeerVersionTest,
    ::testing::Values(VersionProbe{"etcd-3.6", "etcd", {"--version"}, "etcd Version: "},
                      VersionProbe{"etcd-3.6", "etcdctl", {"version"}, "etcdctl version: "},
                      VersionProbe{"etcd-3.6", "etcdutl", {"version"}, "etcdutl version: "},
                      VersionProbe{"etcd-3.7", "etcd", {"--version"}, "etcd Version: "},
                      VersionProbe{"etcd-3.7", "etcdctl", {"version"}, "etcdctl version: "},
                      VersionProbe{"etcd-3.7", "etcdutl", {"version"}, "etcdutl version: "},
                      VersionProbe{"kubernetes-1.37", "kube-apiserver", {"--version"}, "Kubernetes v"},
                      VersionProbe{"kubernetes-1.37", "kube-controller-manager", {"--version"}, "Kubernetes v"}),
    [](const auto& info) {
      std::string name = info.param.peer + "_" + info.param.binary;
      for (char& c : name) {
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace ketcd::testing
