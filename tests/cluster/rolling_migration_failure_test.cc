// `ketcd cluster migrate` when things go wrong (the tool's own logic, not
// the server's: run on the versions Kubernetes runs): a new member that never
// starts is rolled back; a run killed midway is resumed; a second member
// dying stops the migration with no further membership change.
#include <gtest/gtest.h>

#include <set>

#include "cluster/rolling_migration_fixture.h"
#include "util/crash_point.h"

namespace ketcd::testing {
namespace {

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
  if (!CrashPointsCompiled()) GTEST_SKIP() << "crash points are not in this build (KETCD_CRASH_POINTS=ON)";
  const std::vector<std::string> args = Migrate({"--start-cmd", cluster_->StartCommandTemplate()});
  // Crash points follow each state-file update: 1 the plan, then four per
  // member (added, started, promoted, removed, stopped: five).
  auto killed = RunKetcd(args, {.env = {{"KETCD_CRASH_POINT", "5"}}, .timeout = std::chrono::minutes(2)});
  ASSERT_EQ(killed.exit_code, -1) << Describe(killed);
  auto resumed = RunKetcd(args, {.timeout = std::chrono::minutes(4)});
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed) << cluster_->LogTails();
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
