// Endpoint failover, timeouts and authentication against real etcd.
#include <gtest/gtest.h>

#include <thread>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::etcd {
namespace {

using testing::EtcdCluster;

TEST(FailoverTest, ReadsAndWritesMoveToTheNextEndpointWhenOneIsDown) {
  auto cluster = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  ConnectionConfig config = (*cluster)->ClientConfig();
  config.dial_timeout = std::chrono::milliseconds(1000);
  (*cluster)->KillMember(0);
  ASSERT_TRUE((*cluster)->WaitHealthy().ok());
  auto client = EtcdClient::Create(config);  // still lists the dead member first
  ASSERT_TRUE(client.ok());
  pb::PutRequest put;
  put.set_key("failover");
  put.set_value("yes");
  auto written = (*client)->Put(put);
  ASSERT_TRUE(written.ok()) << written.status().message();
  pb::RangeRequest get;
  get.set_key("failover");
  auto read = (*client)->Range(get);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->kvs(0).value(), "yes");
  // Pinned calls do not fail over: the dead member reports unavailable.
  EXPECT_EQ((*client)->EndpointStatus(0).status().code(), ErrorCode::kUnavailable);

  // Back with its data, the member serves again, including what it missed.
  ASSERT_TRUE((*cluster)->RestartMember(0).ok());
  auto status = (*client)->EndpointStatus(0);
  ASSERT_TRUE(status.ok()) << status.status().message();
  get.set_serializable(true);  // answered from member 0's own store
  ConnectionConfig only_first = (*cluster)->ClientConfig();
  only_first.endpoints = {(*cluster)->ClientUrl(0)};
  auto first = EtcdClient::Create(only_first);
  ASSERT_TRUE(first.ok());
  // It may still be applying the entries it missed: give it a moment.
  Result<pb::RangeResponse> caught_up = (*first)->Range(get);
  for (int attempt = 0; attempt < 50 && caught_up.ok() && caught_up->kvs_size() == 0; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    caught_up = (*first)->Range(get);
  }
  ASSERT_TRUE(caught_up.ok()) << caught_up.status().message();
  ASSERT_EQ(caught_up->kvs_size(), 1);
  EXPECT_EQ(caught_up->kvs(0).value(), "yes");
}

TEST(FailoverTest, NoReachableEndpointIsUnavailableWithinDialTimeout) {
  ConnectionConfig config;
  config.endpoints = {"127.0.0.1:" + std::to_string(testing::FreePort()),
                      "127.0.0.1:" + std::to_string(testing::FreePort())};
  config.dial_timeout = std::chrono::milliseconds(500);
  auto client = EtcdClient::Create(config);
  ASSERT_TRUE(client.ok());
  auto start = std::chrono::steady_clock::now();
  auto read = (*client)->Range(pb::RangeRequest());
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(read.status().message().find(config.endpoints[1]), std::string::npos);
  EXPECT_LT(took, std::chrono::milliseconds(2 * 500 + 1000));
}

TEST(AuthTest, PasswordAuthenticatesAndWrongPasswordIsRejected) {
  auto cluster = EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  Status auth = testing::EnableRootAuth(**cluster, "s3cret");
  ASSERT_TRUE(auth.ok()) << auth.message();
  ConnectionConfig config = (*cluster)->ClientConfig();
  config.user = "root";
  config.password = "s3cret";
  auto client = EtcdClient::Create(config);
  ASSERT_TRUE(client.ok());
  pb::PutRequest put;
  put.set_key("secured");
  put.set_value("v");
  EXPECT_TRUE((*client)->Put(put).ok());

  config.password = "wrong";
  auto wrong = EtcdClient::Create(config);
  ASSERT_TRUE(wrong.ok());
  Status connected = (*wrong)->Connect();
  EXPECT_EQ(connected.code(), ErrorCode::kUnauthenticated) << connected.message();

  config.user.clear();
  config.password.clear();
  auto anonymous = EtcdClient::Create(config);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ((*anonymous)->Put(put).status().code(), ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace ketcd::etcd
