// Crash points: places where a write sequence may be interrupted, numbered
// in the order a run passes them. With KETCD_CRASH_POINT=N in the
// environment, the process kills itself with SIGKILL at the N-th one, so
// tests can prove that every interruption leaves a state that a re-run or
// an undo repairs (tests/migrate/migrate_crash_test.cc). Without the
// variable a crash point costs one branch.
#pragma once

namespace ketcd {

void CrashPoint();

}  // namespace ketcd
