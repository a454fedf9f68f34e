#include "snapshot/key_scope.h"

#include "etcd/range_pager.h"

namespace ketcd::snapshot {

KeyScope KeyScope::Prefix(const std::string& prefix) {
  if (prefix.empty()) return {};
  return {prefix, etcd::PrefixRangeEnd(prefix)};
}

bool KeyScope::Covers(const std::string& range_start, const std::string& range_end) const {
  if (range_end.empty()) return Contains(range_start);
  if (end.empty()) return false;  // a range wider than one key, or none
  if (range_start < start) return false;
  if (ToTheLastKey()) return true;
  return range_end != std::string_view("\0", 1) && range_end <= end;
}

}  // namespace ketcd::snapshot
