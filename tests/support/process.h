// Child processes for tests: etcd servers and CLI runs (ketcd, etcdctl).
// Children die with the test process (PR_SET_PDEATHSIG), so a crashed test
// never leaves an etcd behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ketcd::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string out, err;
  long max_rss_kb = 0;  // peak resident set size, with CommandOptions::measure_rss
  std::chrono::milliseconds elapsed{0};
};

struct CommandOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) the parent's
  std::vector<std::string> unset_env;      // removed from the child's environment
  std::string stdin_data;
  std::chrono::milliseconds timeout{60000};
  bool discard_stdout = false;  // to /dev/null: huge outputs whose size is not the point
  // Runs the command under GNU time to get its own peak RSS: rusage of a
  // direct child would include this process's memory image, which the
  // kernel counts up to the child's exec. A sanitized child runs without
  // AddressSanitizer's quarantine, so its RSS is comparable across runs.
  bool measure_rss = false;
};

// Runs argv[0] (looked up in PATH) to completion.
CommandResult RunCommand(const std::vector<std::string>& argv, const CommandOptions& options = {});

// A long-running child with output appended to a log file.
class BackgroundProcess {
 public:
  BackgroundProcess() = default;
  ~BackgroundProcess();
  BackgroundProcess(BackgroundProcess&& other) noexcept;
  BackgroundProcess& operator=(BackgroundProcess&& other) noexcept;

  // Returns false (with errno set) when the process could not be started.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path);
  bool running();
  // SIGTERM, then SIGKILL after `grace`; waits for the exit. Returns the
  // exit code, -1 when it had to be killed or died of a signal.
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  void Kill();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace ketcd::testing
