// A one-line progress report for long transfers (bytes, rate, ETA), redrawn
// in place on a terminal and silent otherwise, so logs and pipes stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace ketcd {

class ProgressBar {
 public:
  // Draws on `out` when `terminal` (the caller knows what `out` is).
  ProgressBar(std::string label, std::ostream& out, bool terminal);
  ~ProgressBar();
  // `total` 0 = unknown. Redraws at most a few times per second.
  void Update(uint64_t done, uint64_t total);
  // Clears the line.
  void Finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::string label_;
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace ketcd
