// Crash points: places where a write sequence may be interrupted, numbered
// in the order a run passes them. With KETCD_CRASH_POINT=N in the
// environment, the process kills itself with SIGKILL at the N-th one, so
// tests can prove that every interruption leaves a state that a re-run or
// an undo repairs (tests/migrate/migrate_crash_test.cc). Without the
// variable a crash point costs one branch; in a build without the
// KETCD_CRASH_POINTS option (every build but the Debug one the tests use)
// it does nothing whatever the environment says.
#pragma once

namespace ketcd {

void CrashPoint();

// Whether this build has them.
bool CrashPointsCompiled();

}  // namespace ketcd
