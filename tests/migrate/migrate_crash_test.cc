// Crash safety of `migrate --apply`: SIGKILLed at every crash point (after
// the backup, after each journal append, after each transaction; see
// util/crash_point.h), a re-run of the same command yields exactly the
// migrated keyspace, and undo exactly the original one.
#include "migrate/migrate_fixture.h"
#include "util/crash_point.h"

namespace ketcd::testing {
namespace {

TEST_F(MigrateTest, EveryInterruptionIsRepairedByRerunOrUndo) {
  if (!CrashPointsCompiled()) GTEST_SKIP() << "crash points are not in this build (KETCD_CRASH_POINTS=ON)";
  Generate({"--service-cidr", "192.168.0.0/16", "--services", "12", "--nodes", "2"});
  const KeyspaceMap original = ReadAll();
  const KeyspaceMap migrated = ExpectedAfter(original, {{"192.168.", "172.24."}});
  const std::vector<std::string> apply = {"migrate", "service-cidr", "--from", "192.168.0.0/16", "--to",
                                          "172.24.0.0/16", "--apply", "--batch", "2",
                                          "--journal", Path("crash.journal"), "--backup", Path("backup.db")};
  int interrupted = 0;
  for (int point = 1;; ++point) {
    SCOPED_TRACE("crash point " + std::to_string(point));
    for (const bool undo : {false, true}) {
      Reset(original);
      std::filesystem::remove(Path("crash.journal"));
      std::filesystem::remove(Path("backup.db"));
      auto crashed = Ketcd(apply, {.env = {{"KETCD_CRASH_POINT", std::to_string(point)}}});
      if (crashed.exit_code == 0) {  // past the last crash point: a whole run
        EXPECT_EQ(DescribeDifferences(migrated, ReadAll()), "");
        EXPECT_GE(interrupted, 2 * 20) << "fewer than 20 crash points";
        return;
      }
      ASSERT_EQ(crashed.exit_code, -1) << Describe(crashed);  // killed
      ASSERT_FALSE(crashed.timed_out);
      ++interrupted;
      auto repair = undo ? Ketcd({"migrate", "undo", Path("crash.journal")})
                         : Ketcd(Args(apply, {"--no-backup"}));
      if (undo && point == 1) {
        // Killed right after the backup: no journal yet, nothing written.
        EXPECT_EQ(repair.exit_code, 1) << Describe(repair);
        EXPECT_EQ(ReadAll(), original);
        continue;
      }
      ASSERT_EQ(repair.exit_code, 0) << Describe(repair);
      EXPECT_EQ(DescribeDifferences(undo ? original : migrated, ReadAll()), "");
    }
  }
}

}  // namespace
}  // namespace ketcd::testing
