// Paged range reads: a range of any size read as a sequence of bounded pages
// at one revision, so memory stays bounded whatever the key count.
#pragma once

#include <functional>

#include "etcd/client.h"

namespace ketcd::etcd {

struct RangePage {
  const pb::RangeResponse& response;
  bool first;  // the first page carries the header and the total count
};

// Reads `request` (its limit is the overall cap, 0 = all) in pages of at
// most `page_size` keys, all at the revision of the first page (or the
// request's own revision), calling `on_page` for each. Requests sorted other
// than by ascending key cannot be continued by key and are read in one call.
Status ReadRangeInPages(EtcdClient& client, const pb::RangeRequest& request, int64_t page_size,
                        const std::function<Status(const RangePage&)>& on_page);

// The smallest key after every key that starts with `prefix`, as etcd's
// clientv3.GetPrefixRangeEnd computes it ("\0" when there is none).
std::string PrefixRangeEnd(const std::string& prefix);

}  // namespace ketcd::etcd
