// `ketcd cluster migrate` on real clusters of every etcd version: three
// members moved to three new ones while writers put at least 100 keys/s
// (every acknowledged write survives, writes never stall longer than an
// election, the leader moves last). How it fails and resumes:
// rolling_migration_failure_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "cluster/rolling_migration_fixture.h"

namespace ketcd::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

TEST_F(RollingMigrationTest, MovesEveryMemberUnderWriteLoadLeaderLast) {
  const std::string first_leader = LeaderName();
  ASSERT_FALSE(first_leader.empty());
  // Short timeouts: a put in flight to a member being removed fails fast
  // and is retried on another, as a client with sensible timeouts does.
  etcd::ConnectionConfig writer_config = AllEndpoints();
  writer_config.dial_timeout = std::chrono::milliseconds(300);
  writer_config.command_timeout = std::chrono::milliseconds(1000);
  // Several writers, as an API server has: the load does not hang on one
  // put's latency (a slow disk's fsync), only on the cluster accepting writes.
  constexpr int kWriters = 4;
  std::atomic<bool> writing{true};
  std::vector<std::vector<std::string>> acknowledged(kWriters);
  std::vector<std::chrono::milliseconds> longest_stall(kWriters, std::chrono::milliseconds{0});
  std::vector<std::thread> writes;
  for (int w = 0; w < kWriters; ++w) {
    writes.emplace_back([&, w] {
      auto writer = etcd::EtcdClient::Create(writer_config);
      if (!writer.ok()) return;
      auto last_success = SteadyClock::now();
      for (int i = 0; writing;) {
        etcd::pb::PutRequest put;
        put.set_key("w/" + std::to_string(w) + "-" + std::to_string(i));
        put.set_value(std::to_string(i));
        if ((*writer)->Put(put).ok()) {
          acknowledged[w].push_back(put.key());
          ++i;
          const auto now = SteadyClock::now();
          longest_stall[w] =
              std::max(longest_stall[w], std::chrono::duration_cast<std::chrono::milliseconds>(now - last_success));
          last_success = now;
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));  // retry the same key
        }
      }
    });
  }
  const auto start = SteadyClock::now();
  auto migrated = RunKetcd(Migrate({"--start-cmd", cluster_->StartCommandTemplate(), "--wait", "60s"}),
                           {.timeout = std::chrono::minutes(4)});
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  writing = false;
  for (auto& writer : writes) writer.join();
  ASSERT_EQ(migrated.exit_code, 0) << Describe(migrated) << cluster_->LogTails();
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
  size_t written = 0;
  for (const auto& keys : acknowledged) written += keys.size();
  EXPECT_GE(written / seconds, 100.0) << written << " writes in " << seconds << " s";
  EXPECT_LT(std::ranges::max(longest_stall).count(), 3000) << "writes stalled: quorum lost?";
  etcd::pb::RangeRequest all;
  all.set_key("w/");
  all.set_range_end("w0");
  auto stored = client_->Range(all);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  std::set<std::string> keys;
  for (const auto& kv : stored->kvs()) keys.insert(kv.key());
  size_t missing = 0;
  for (const auto& written_by_one : acknowledged) {
    for (const std::string& key : written_by_one) missing += keys.count(key) == 0;
  }
  EXPECT_EQ(missing, 0u) << "of " << written << " acknowledged writes";
}

}  // namespace
}  // namespace ketcd::testing
