#include "etcd/range_pager.h"

#include <algorithm>
#include <future>

namespace ketcd::etcd {

std::string PrefixRangeEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  // Every key starting with 0xff...: read to the end of the keyspace.
  return std::string(1, '\0');
}

namespace {

int64_t EntryBytes(const mvccpb::KeyValue& kv) { return static_cast<int64_t>(kv.key().size() + kv.value().size()) + 32; }

// Keys for the next page, from the entries at the end of the page just
// read: keys are in order, so those nearest the next page are the best guess
// of its sizes.
int64_t NextPageKeys(const PageSizing& sizing, const pb::RangeResponse& page, int64_t current) {
  if (!sizing.adaptive || page.kvs_size() == 0) return current;
  const int from = page.kvs_size() - std::max(1, page.kvs_size() / 8);
  int64_t bytes = 0;
  for (int i = from; i < page.kvs_size(); ++i) bytes += EntryBytes(page.kvs(i));
  const int64_t average = std::max<int64_t>(1, bytes / (page.kvs_size() - from));
  return std::clamp(sizing.target_bytes / average, sizing.min_keys, sizing.max_keys);
}

}  // namespace

Status ReadRangeInPages(RangeReader& reader, const pb::RangeRequest& request,
                        const PageSizing& sizing,
                        const std::function<Status(const RangePage&)>& on_page) {
  int64_t page_size = sizing.first_page_keys;
  const bool key_order = request.sort_order() == pb::RangeRequest::NONE ||
                         (request.sort_order() == pb::RangeRequest::ASCEND &&
                          request.sort_target() == pb::RangeRequest::KEY);
  const bool single_key = request.range_end().empty();
  if (!key_order || single_key || request.count_only() || page_size <= 0) {
    auto response = reader.Range(request);
    if (!response.ok()) return response.status();
    return on_page(RangePage{*response, true});
  }
  // Pages stop at the end of the group they are in (PageSizing::group_of);
  // not with an overall limit, whose last page must say whether more keys
  // follow.
  const bool by_group = sizing.adaptive && sizing.group_of && request.limit() == 0;
  int64_t largest = 1;
  std::string parent;  // of the last group seen ("/registry/" for "/registry/pods/")
  // `end`, or the request's own range end where that comes first.
  auto within_request = [&](const std::string& end) {
    const bool inside = request.range_end() == std::string(1, '\0') || end < request.range_end();
    return inside ? end : request.range_end();
  };
  // Where a request from `start`, past the end of a group, stops: where the
  // keys starting like it up to one byte past `parent` end ("/registry/pods0"
  // gives "/registry/q"). etcd counts the whole range of every request,
  // so a range left open to the end would cost a walk over all later keys.
  auto window_end = [&](const std::string& start) {
    if (parent.empty() || start.size() <= parent.size() || start.compare(0, parent.size(), parent) != 0) {
      return request.range_end();
    }
    return within_request(PrefixRangeEnd(start.substr(0, parent.size() + 1)));
  };
  // While a page is handed to `on_page`, the next one is already on its
  // way: decoding and printing overlap with etcd's work.
  auto fetch = [&reader](pb::RangeRequest page_request) { return reader.Range(page_request); };
  pb::RangeRequest page_request = request;
  int64_t remaining = request.limit();  // 0: no overall cap
  auto limit_page = [&](int64_t size) {
    page_request.set_limit(remaining > 0 && remaining < size ? remaining : size);
  };
  limit_page(page_size);
  std::future<Result<pb::RangeResponse>> in_flight =
      std::async(std::launch::async, fetch, page_request);
  bool first = true;
  while (in_flight.valid()) {
    Result<pb::RangeResponse> response = in_flight.get();
    if (!response.ok()) return response.status();
    if (first) {
      // Later pages read the same revision, so the result is one consistent view.
      page_request.set_revision(response->header().revision());
    }
    const int kvs = response->kvs_size();
    if (remaining > 0) remaining -= kvs;
    for (const auto& kv : response->kvs()) largest = std::max(largest, EntryBytes(kv));
    // The page ended at its group's end, not the range's: go on from there,
    // with a first page sized for the largest entry seen so far.
    const bool group_done = !response->more() && page_request.range_end() != request.range_end();
    const bool more = (response->more() && kvs > 0 && (request.limit() == 0 || remaining > 0)) || group_done;
    if (more) {
      if (group_done) {
        page_request.set_key(page_request.range_end());
        page_request.set_range_end(window_end(page_request.key()));
        page_size = std::clamp(sizing.target_bytes / largest, sizing.min_keys,
                               std::max(sizing.min_keys, sizing.first_page_keys));
      } else {
        page_size = NextPageKeys(sizing, *response, page_size);
        // Continue just after the last key of this page.
        const std::string& last = response->kvs(kvs - 1).key();
        page_request.set_key(last + '\0');
        const std::string group = by_group ? sizing.group_of(last) : "";
        if (!group.empty()) {
          parent = group.substr(0, group.rfind('/', group.size() - 2) + 1);
          page_request.set_range_end(within_request(PrefixRangeEnd(group)));
        }
      }
      limit_page(page_size);
      in_flight = std::async(std::launch::async, fetch, page_request);
    }
    // On an error the fetch in flight is waited for by its future.
    KETCD_RETURN_IF_ERROR(on_page(RangePage{*response, first}));
    first = false;
  }
  return Status::Ok();
}

}  // namespace ketcd::etcd
