// Paged range reads: a range of any size read as a sequence of bounded pages
// at one revision, so memory stays bounded whatever the key count.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "etcd/range_reader.h"

namespace ketcd::etcd {

struct RangePage {
  // The callback may take the response (move it) to keep it past its return.
  pb::RangeResponse& response;
  bool first;  // the first page carries the header and the total count
};

// How many keys each page asks for. By default the size adapts so that a
// page holds about `target_bytes` of keys and values: few round trips for
// small values, bounded memory for large ones. etcd 3.4 walks its index
// from the page start to the end of the range for every page, so fewer,
// larger pages are also much faster there (bench/dump_bench.cc).
struct PageSizing {
  int64_t first_page_keys = 1000;
  bool adaptive = true;  // false: every page asks for first_page_keys
  int64_t min_keys = 100;
  int64_t max_keys = 100000;
  int64_t target_bytes = 8 << 20;
  // Sizes are guessed from the entries just read, so a page that runs from
  // small values into large ones holds far more than target_bytes: with
  // this, keys fall into groups of like values (the key prefix it returns,
  // "" for none; Kubernetes: a resource), a page stops at the end of its
  // group, and the first page of the next is sized for the largest entry
  // seen so far.
  std::function<std::string(std::string_view key)> group_of;

  static PageSizing Fixed(int64_t keys) {
    PageSizing sizing;
    sizing.first_page_keys = keys;
    sizing.adaptive = false;
    return sizing;
  }
};

// Reads `request` (its limit is the overall cap, 0 = all) page by page, all
// at the revision of the first page (or the request's own revision), calling
// `on_page` for each. The next page is fetched while `on_page` runs, so
// `on_page` must not use `reader`. Requests sorted other than by ascending
// key cannot be continued by key and are read in one call.
Status ReadRangeInPages(RangeReader& reader, const pb::RangeRequest& request,
                        const PageSizing& sizing,
                        const std::function<Status(const RangePage&)>& on_page);

// The smallest key after every key that starts with `prefix`, as etcd's
// clientv3.GetPrefixRangeEnd computes it ("\0" when there is none).
std::string PrefixRangeEnd(const std::string& prefix);

}  // namespace ketcd::etcd
