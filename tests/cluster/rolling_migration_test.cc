// `ketcd cluster migrate` on real clusters: three members moved to three
// new ones while a writer puts at least 100 keys/s (every acknowledged
// write survives, writes never stall longer than an election, the leader
// moves last); a new member that never starts is rolled back; a run killed
// midway is resumed; a second member dying stops the migration with no
// further membership change.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

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

TEST_F(RollingMigrationTest, MovesEveryMemberUnderWriteLoadLeaderLast) {
  const std::string first_leader = LeaderName();
  ASSERT_FALSE(first_leader.empty());
  // Short timeouts: a put in flight to a member being removed fails fast
  // and is retried on another, as a client with sensible timeouts does.
  etcd::ConnectionConfig writer_config = AllEndpoints();
  writer_config.dial_timeout = std::chrono::milliseconds(300);
  writer_config.command_timeout = std::chrono::milliseconds(1000);
  auto writer = etcd::EtcdClient::Create(writer_config);
  ASSERT_TRUE(writer.ok());
  std::atomic<bool> writing{true};
  std::vector<int> acknowledged;
  std::chrono::milliseconds longest_stall{0};
  std::thread writes([&] {
    auto last_success = SteadyClock::now();
    for (int i = 0; writing;) {
      etcd::pb::PutRequest put;
      put.set_key("w/" + std::to_string(i));
      put.set_value(std::to_string(i));
      if ((*writer)->Put(put).ok()) {
        acknowledged.push_back(i++);
        const auto now = SteadyClock::now();
        longest_stall = std::max(longest_stall, std::chrono::duration_cast<std::chrono::milliseconds>(now - last_success));
        last_success = now;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // retry the same key
      }
    }
  });
  const auto start = SteadyClock::now();
  auto migrated = RunKetcd(Migrate({"--start-cmd", cluster_->StartCommandTemplate(), "--wait", "60s"}),
                           {.timeout = std::chrono::minutes(4)});
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  writing = false;
  writes.join();
  ASSERT_EQ(migrated.exit_code, 0) << Describe(migrated);
  EXPECT_TRUE(Contains(migrated.out, "--etcd-servers=" + cluster_->ClientUrl(fresh_[0]))) << migrated.out;
  // The leader was migrated last.
  const size_t last_removal = migrated.out.rfind(" removing ");
  ASSERT_NE(last_removal, std::string::npos) << migrated.out;
  EXPECT_EQ(migrated.out.substr(last_removal, 10 + first_leader.size() + 1), " removing " + first_leader + "\n")
      << migrated.out;
  auto [voters, learners] = Membership();
  EXPECT_EQ(voters, (std::set<std::string>{"n0", "n1", "n2"}));
  EXPECT_TRUE(learners.empty());
  // Load and durability: >= 100 writes/s throughout, each acknowledged one present.
  EXPECT_GE(acknowledged.size() / seconds, 100.0) << acknowledged.size() << " writes in " << seconds << " s";
  EXPECT_LT(longest_stall.count(), 3000) << "writes stalled: quorum lost?";
  etcd::pb::RangeRequest all;
  all.set_key("w/");
  all.set_range_end("w0");
  auto stored = client_->Range(all);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  std::set<std::string> keys;
  for (const auto& kv : stored->kvs()) keys.insert(kv.key());
  size_t missing = 0;
  for (int i : acknowledged) missing += keys.count("w/" + std::to_string(i)) == 0;
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged writes";
}

TEST_F(RollingMigrationTest, NewMemberThatNeverStartsIsRolledBack) {
  auto failed = RunKetcd(Migrate({"--start-cmd", "true", "--wait", "5s"}), {.timeout = std::chrono::minutes(2)});
  EXPECT_EQ(failed.exit_code, 1) << Describe(failed);
  EXPECT_TRUE(Contains(failed.err, "did not catch up")) << failed.err;
  EXPECT_TRUE(Contains(failed.err, "rolled back")) << failed.err;
  auto [voters, learners] = Membership();
  EXPECT_EQ(voters, (std::set<std::string>{"m0", "m1", "m2"}));
  EXPECT_TRUE(learners.empty());
  auto health = RunKetcd(Args(cluster_->ConnectionFlags(), {"cluster", "health"}));
  EXPECT_EQ(health.exit_code, 0) << Describe(health);
}

TEST_F(RollingMigrationTest, ResumesAfterTheToolIsKilled) {
  const std::vector<std::string> args = Migrate({"--start-cmd", cluster_->StartCommandTemplate()});
  // Crash points follow each state-file update: 1 the plan, then four per
  // member (added, started, promoted, removed, stopped: five).
  auto killed = RunKetcd(args, {.env = {{"KETCD_CRASH_POINT", "5"}}, .timeout = std::chrono::minutes(2)});
  ASSERT_EQ(killed.exit_code, -1) << Describe(killed);
  auto resumed = RunKetcd(args, {.timeout = std::chrono::minutes(4)});
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_TRUE(Contains(resumed.out, "resuming from")) << resumed.out;
  auto [voters, learners] = Membership();
  EXPECT_EQ(voters, (std::set<std::string>{"n0", "n1", "n2"}));
  EXPECT_TRUE(learners.empty());
}

TEST_F(RollingMigrationTest, SecondMemberDyingStopsWithNoFurtherChange) {
  // The first member moved is the non-leader with the smallest name; the
  // other non-leader dies as the first new member starts.
  const std::string leader = LeaderName();
  std::vector<std::string> followers;
  for (const char* name : {"m0", "m1", "m2"}) {
    if (name != leader) followers.push_back(name);
  }
  const std::string victim = followers[1];
  const std::string start = cluster_->StartCommandTemplate() + "; kill -9 $(cat " + cluster_->dir() + "/" + victim + ".pid)";
  auto stopped = RunKetcd(Migrate({"--start-cmd", start, "--gate-wait", "3s"}), {.timeout = std::chrono::minutes(2)});
  EXPECT_EQ(stopped.exit_code, 1) << Describe(stopped);
  EXPECT_TRUE(Contains(stopped.err, victim + " is unreachable")) << stopped.err;
  EXPECT_TRUE(Contains(stopped.err, "No further membership change")) << stopped.err;
  auto [voters, learners] = Membership();
  EXPECT_EQ(voters, (std::set<std::string>{"m0", "m1", "m2"}));
  EXPECT_EQ(learners, (std::set<std::string>{"n0"}));
}

}  // namespace
}  // namespace ketcd::testing
