// Crash points are test hooks: a build without the KETCD_CRASH_POINTS option
// (Release, what users run) ignores KETCD_CRASH_POINT. This binary compiles
// util/crash_point.cc as such a build does.
#include "util/crash_point.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace ketcd {
namespace {

TEST(CrashPointReleaseTest, KetcdCrashPointDoesNothing) {
  ASSERT_EQ(::setenv("KETCD_CRASH_POINT", "1", 1), 0);
  EXPECT_FALSE(CrashPointsCompiled());
  for (int i = 0; i < 3; ++i) CrashPoint();  // with crash points the first kills this test
}

}  // namespace
}  // namespace ketcd
