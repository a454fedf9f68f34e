#include "snapshot/keyspace_diff.h"

#include "etcd/range_pager.h"

namespace ketcd::snapshot {
namespace {

// Walks the live keys of a range in key order, a page at a time.
class KeyStream {
 public:
  KeyStream(etcd::RangeReader& reader, std::string start, std::string end)
      : reader_(reader), next_(std::move(start)), end_(std::move(end)) {}

  // The current key-value, or nullptr at the end.
  const mvccpb::KeyValue* current() const { return index_ < page_.kvs_size() ? &page_.kvs(index_) : nullptr; }

  Status Advance() {
    ++index_;
    if (index_ < page_.kvs_size() || done_) return Status::Ok();
    etcd::pb::RangeRequest request;
    request.set_key(next_);
    request.set_range_end(end_);
    request.set_limit(500);
    auto page = reader_.Range(request);
    if (!page.ok()) return page.status();
    page_ = std::move(*page);
    index_ = 0;
    done_ = !page_.more();
    if (page_.kvs_size() > 0) next_ = page_.kvs(page_.kvs_size() - 1).key() + '\0';
    return Status::Ok();
  }

 private:
  etcd::RangeReader& reader_;
  std::string next_, end_;
  etcd::pb::RangeResponse page_;
  int index_ = -1;
  bool done_ = false;
};

}  // namespace

Status DiffKeyspaces(etcd::RangeReader& before, etcd::RangeReader& after, const std::string& prefix,
                     const std::function<Status(const KeyDifference&)>& on_difference) {
  const std::string start = prefix.empty() ? std::string(1, '\0') : prefix;
  const std::string end = prefix.empty() ? std::string(1, '\0') : etcd::PrefixRangeEnd(prefix);
  KeyStream old_keys(before, start, end), new_keys(after, start, end);
  KETCD_RETURN_IF_ERROR(old_keys.Advance());
  KETCD_RETURN_IF_ERROR(new_keys.Advance());
  using Kind = KeyDifference::Kind;
  while (old_keys.current() || new_keys.current()) {
    const mvccpb::KeyValue* a = old_keys.current();
    const mvccpb::KeyValue* b = new_keys.current();
    if (b == nullptr || (a != nullptr && a->key() < b->key())) {
      KETCD_RETURN_IF_ERROR(on_difference({Kind::kRemoved, a, nullptr}));
      KETCD_RETURN_IF_ERROR(old_keys.Advance());
    } else if (a == nullptr || b->key() < a->key()) {
      KETCD_RETURN_IF_ERROR(on_difference({Kind::kAdded, nullptr, b}));
      KETCD_RETURN_IF_ERROR(new_keys.Advance());
    } else {
      if (a->value() != b->value()) KETCD_RETURN_IF_ERROR(on_difference({Kind::kChanged, a, b}));
      KETCD_RETURN_IF_ERROR(old_keys.Advance());
      KETCD_RETURN_IF_ERROR(new_keys.Advance());
    }
  }
  return Status::Ok();
}

}  // namespace ketcd::snapshot
