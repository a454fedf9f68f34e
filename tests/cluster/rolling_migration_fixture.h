// What the `ketcd cluster migrate` tests share: a 3-member cluster (m0..m2),
// three members reserved to move it to (n0..n2), a client that outlives the
// move, and the command line of a migration.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {

class RollingMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = EtcdCluster::Start({.members = 3});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    for (const char* name : {"n0", "n1", "n2"}) fresh_.push_back(cluster_->ReserveMember(name));
    auto client = etcd::EtcdClient::Create(AllEndpoints());
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
  }

  // Old and new members' client URLs: a client that outlives the move.
  etcd::ConnectionConfig AllEndpoints() const {
    etcd::ConnectionConfig config = cluster_->ClientConfig();
    config.endpoints.clear();
    for (int i = 0; i < cluster_->size(); ++i) config.endpoints.push_back(cluster_->ClientUrl(i));
    return config;
  }

  std::vector<std::string> Migrate(const std::vector<std::string>& extra) {
    std::string to, client_urls;
    for (int i : fresh_) {
      to += (to.empty() ? "" : ",") + cluster_->Name(i) + "=" + cluster_->PeerUrl(i);
      client_urls += (client_urls.empty() ? "" : ",") + cluster_->Name(i) + "=" + cluster_->ClientUrl(i);
    }
    std::vector<std::string> args = {"--endpoints=" + cluster_->ClientUrl(0) + "," + cluster_->ClientUrl(1) + "," +
                                         cluster_->ClientUrl(2),
                                     "cluster", "migrate", "--to", to, "--client-urls", client_urls,
                                     "--stop-cmd", cluster_->StopCommandTemplate(),
                                     "--state", cluster_->dir() + "/migration.state", "--no-backup", "--apply"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::string LeaderName() {
    auto members = client_->MemberList();
    EXPECT_TRUE(members.ok());
    for (int i = 0; i < cluster_->size(); ++i) {
      etcd::ConnectionConfig one = cluster_->ClientConfig();
      one.endpoints = {cluster_->ClientUrl(i)};
      auto client = etcd::EtcdClient::Create(one);
      auto status = client.ok() ? (*client)->EndpointStatus(0) : Result<etcd::pb::StatusResponse>(Internal("x"));
      if (!status.ok()) continue;
      for (const auto& m : members->members()) {
        if (m.id() == status->leader()) return m.name();
      }
    }
    return "";
  }

  // Names of the voting members and of the learners.
  std::pair<std::set<std::string>, std::set<std::string>> Membership() {
    std::set<std::string> voters, learners;
    auto members = client_->MemberList();
    EXPECT_TRUE(members.ok()) << members.status().message();
    if (!members.ok()) return {};
    for (const auto& m : members->members()) {
      (m.islearner() ? learners : voters).insert(m.name().empty() ? "(unstarted)" : m.name());
    }
    return {voters, learners};
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::vector<int> fresh_;
  std::unique_ptr<etcd::EtcdClient> client_;
};

}  // namespace ketcd::testing
