// What every test with a real API server shares: a one-member etcd (the
// version under test) with kube-apiserver 1.37 on it; the test skips with
// one line when that peer is not built.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/etcd_cluster.h"
#include "support/kube_apiserver.h"
#include "support/peers.h"

namespace ketcd::testing {

class ApiServerFixture : public ::testing::Test {
 protected:
  // From SetUp(): etcd, then the API server with `options` (a skip or a
  // failure ends SetUp, and gtest runs no test body after either).
  void StartEtcd() {
    KETCD_SKIP_UNLESS(MissingPeer(kKubernetesPeer, "kube-apiserver"));
    auto etcd = EtcdCluster::Start({.members = 1});
    ASSERT_TRUE(etcd.ok()) << etcd.status().message();
    etcd_ = std::move(*etcd);
  }
  void StartApiServer(const KubeApiServerOptions& options = {}) {
    auto server = KubeApiServer::Start(*etcd_, options);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }
  void StartEtcdAndApiServer(const KubeApiServerOptions& options = {}) {
    StartEtcd();
    if (etcd_) StartApiServer(options);
  }

  // ketcd against that etcd.
  CommandResult Ketcd(const std::vector<std::string>& args, CommandOptions options = {}) {
    return RunKetcd(Args(etcd_->ConnectionFlags(), args), options);
  }

  std::unique_ptr<EtcdCluster> etcd_;
  std::unique_ptr<KubeApiServer> server_;
};

}  // namespace ketcd::testing
