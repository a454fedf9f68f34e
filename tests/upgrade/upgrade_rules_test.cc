// The online rules of upgrade-check on reports no real cluster gives the
// tests (old patch releases, a downgrade, a full database).
#include <gtest/gtest.h>

#include "upgrade/upgrade_check.h"

namespace ketcd::upgrade {
namespace {

cluster::MemberHealth Member(const std::string& name, const std::string& version) {
  cluster::MemberHealth member;
  member.id = std::hash<std::string>()(name);
  member.name = name;
  member.version = version;
  member.db_size = 1 << 20;
  return member;
}

std::vector<std::string> Blockers(const cluster::HealthReport& health, int to) {
  UpgradeReport report;
  report.to_minor = to;
  CheckOnline(health, report);
  std::vector<std::string> blockers;
  for (const auto& f : report.findings) {
    if (f.blocking) blockers.push_back(f.check + ": " + f.subject.substr(0, f.subject.find(' ')));
  }
  return blockers;
}

TEST(UpgradeRulesTest, VersionsOneMinorAtATimeAndTheSafe35Patch) {
  cluster::HealthReport health;
  health.leader_id = 1;
  health.members = {Member("a", "3.5.26"), Member("b", "3.5.21"), Member("c", "3.4.30"),
                    Member("d", "3.6.4")};
  EXPECT_EQ(Blockers(health, 6), (std::vector<std::string>{"version: b", "version: c"}));
  EXPECT_EQ(Blockers(health, 7), (std::vector<std::string>{"version: a", "version: b", "version: c"}));
  EXPECT_FALSE(ParseTarget("3.8").ok());
  EXPECT_EQ(*ParseTarget("3.7"), 7);
}

TEST(UpgradeRulesTest, DowngradeQuotaLearnersAlarmsAndUnreachableMembersBlock) {
  cluster::HealthReport health;
  health.leader_id = 1;
  health.members = {Member("a", "3.6.16"), Member("b", "3.6.16"), Member("c", "3.6.16"),
                    Member("d", "3.6.16")};
  health.members[0].downgrade = etcd::DowngradeInfo{true, "3.5.0"};
  health.members[1].db_size_quota = 1 << 20;  // full
  health.members[2].learner = true;
  health.members[3].error = "connection refused";
  health.alarms = {"NOSPACE on b"};
  EXPECT_EQ(Blockers(health, 7),
            (std::vector<std::string>{"downgrade: a", "space: b", "learner: c", "reachable: d", "alarm: "}));
  health = {};
  health.members = {Member("a", "3.6.16")};
  EXPECT_EQ(Blockers(health, 7), (std::vector<std::string>{"leader: "}));
}

TEST(UpgradeRulesTest, ClusterVersionBehindItsMembersBlocks) {
  cluster::HealthReport health;
  health.members = {Member("a", "3.5.30"), Member("b", "3.5.30")};
  UpgradeReport report;
  CheckClusterVersion("3.4.0", "", health, report);
  CheckClusterVersion("3.5.0", "", health, report);
  CheckClusterVersion("", "connection refused", health, report);
  ASSERT_EQ(report.findings.size(), 3u);
  EXPECT_TRUE(report.findings[0].blocking) << report.findings[0].message;
  EXPECT_FALSE(report.findings[1].blocking);
  EXPECT_FALSE(report.findings[2].blocking);
  EXPECT_EQ(report.findings[2].message, "cluster version unknown: connection refused");
}

}  // namespace
}  // namespace ketcd::upgrade
