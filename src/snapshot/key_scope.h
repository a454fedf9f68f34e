// The keys a reader of a file will ask for, as an etcd range: [start, end),
// end "\0" for every key from start on, end "" for the key start alone.
#pragma once

#include <string>
#include <string_view>

namespace ketcd::snapshot {

struct KeyScope {
  std::string start = std::string(1, '\0');
  std::string end = std::string(1, '\0');

  // Every key under `prefix` ("": every key).
  static KeyScope Prefix(const std::string& prefix);

  bool Contains(std::string_view key) const {
    if (end.empty()) return key == start;
    return key >= start && (ToTheLastKey() || key < end);
  }
  // Whether every key of the range [range_start, range_end) lies within.
  bool Covers(const std::string& range_start, const std::string& range_end) const;

 private:
  bool ToTheLastKey() const { return end == std::string_view("\0", 1); }
};

}  // namespace ketcd::snapshot
