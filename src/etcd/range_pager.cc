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

// Keys for the next page, from the average size of the entries just read.
int64_t NextPageKeys(const PageSizing& sizing, const pb::RangeResponse& page, int64_t current) {
  if (!sizing.adaptive || page.kvs_size() == 0) return current;
  int64_t bytes = 0;
  for (const auto& kv : page.kvs())
    bytes += static_cast<int64_t>(kv.key().size() + kv.value().size()) + 32;
  int64_t average = std::max<int64_t>(1, bytes / page.kvs_size());
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
    const bool more = response->more() && kvs > 0 && (request.limit() == 0 || remaining > 0);
    if (more) {
      page_size = NextPageKeys(sizing, *response, page_size);
      // Continue just after the last key of this page.
      page_request.set_key(response->kvs(kvs - 1).key() + '\0');
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
