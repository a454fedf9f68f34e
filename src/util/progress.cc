#include "util/progress.h"

#include <cstdio>

namespace ketcd {
namespace {

std::string Megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, std::ostream& out, bool terminal)
    : label_(std::move(label)), out_(out), enabled_(terminal) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = label_ + " " + Megabytes(done);
  if (total > 0) {
    const int percent = static_cast<int>(100.0 * static_cast<double>(done) / total);
    line += " / " + Megabytes(total) + " (" + std::to_string(percent) + "%)";
  }
  line += "  " + Megabytes(static_cast<uint64_t>(rate)) + "/s";
  if (total > done && rate > 0) {
    line += "  ETA " + std::to_string(static_cast<int>((total - done) / rate) + 1) + "s";
  }
  out_ << "\r\033[K" << line << std::flush;
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (!drawn_) return;
  out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace ketcd
