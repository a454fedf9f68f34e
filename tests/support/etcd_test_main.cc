// main() of every test binary that starts real etcd servers: when the etcd
// under test (KETCD_TEST_ETCD, a peer that scripts/install-peers did not
// build) is missing, every test skips with one line naming it, instead of
// each failing on its own.
#include <gtest/gtest.h>

#include "support/etcd_cluster.h"
#include "support/peers.h"

namespace {

class EtcdServerPresent : public ::testing::Environment {
 public:
  void SetUp() override { KETCD_SKIP_UNLESS(ketcd::testing::EtcdUnavailable()); }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new EtcdServerPresent);
  return RUN_ALL_TESTS();
}
