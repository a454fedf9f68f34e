#include "bolt/check.h"

#include <optional>

#include "bolt/format.h"

namespace ketcd::bolt {
namespace {

class Checker {
 public:
  Checker(const Database& db, const CheckOptions& options, CheckReport& report)
      : db_(db), options_(options), report_(report), state_(db.meta().high_water, kUnseen) {}

  Status Run() {
    for (int i = 0; i < 2; ++i) {
      const MetaPage& meta = db_.meta_pages()[i];
      if (!meta.valid) Problem("meta page " + std::to_string(i) + ": " + meta.problem);
    }
    state_[0] = state_[1] = kReachable;
    const Meta& meta = db_.meta();
    const bool freelist_on_disk = meta.freelist != kNoFreelist;
    if (freelist_on_disk) ReadFreePages(meta.freelist);
    KETCD_RETURN_IF_ERROR(WalkBucket(db_.root(), 0, "root bucket"));
    for (uint64_t id = 0; id < state_.size(); ++id) {
      if (state_[id] == kReachable) ++report_.pages_reachable;
      if (state_[id] == kFree) ++report_.pages_free;
      // Without a freelist on disk bbolt rebuilds it from unreachable pages.
      if (state_[id] == kUnseen && freelist_on_disk) {
        Problem("page " + std::to_string(id) + ": unreachable and not free");
      }
    }
    return Status::Ok();
  }

 private:
  enum PageState : uint8_t { kUnseen, kReachable, kFree };

  void Problem(std::string text) {
    if (report_.problems.size() < options_.max_problems) report_.problems.push_back(std::move(text));
  }

  void ReadFreePages(uint64_t freelist_id) {
    auto page = db_.Page(freelist_id);
    if (!page.ok()) return Problem("freelist: " + page.status().message());
    for (uint64_t i = 0; i <= page->overflow; ++i) state_[freelist_id + i] = kReachable;
    auto ids = ReadFreelist(*page);
    if (!ids.ok()) return Problem(ids.status().message());
    for (uint64_t id : *ids) {
      if (id < 2 || id >= state_.size()) {
        Problem("freelist: page " + std::to_string(id) + " is out of range");
      } else if (state_[id] != kUnseen) {
        Problem("page " + std::to_string(id) + ": freed twice or freed while in use");
      } else {
        state_[id] = kFree;
      }
    }
  }

  // Marks the pages of `page` reachable; false when they must not be read.
  bool Claim(const PageView& page) {
    for (uint64_t i = 0; i <= page.overflow; ++i) {
      PageState& state = state_[page.id + i];
      if (state == kReachable) {
        Problem("page " + std::to_string(page.id + i) + ": referenced more than once");
        return false;
      }
      if (state == kFree) Problem("page " + std::to_string(page.id + i) + ": in use but free");
      state = kReachable;
    }
    return true;
  }

  Status WalkBucket(const BucketRef& bucket, int depth, const std::string& where) {
    auto root = db_.RootPage(bucket);
    if (!root.ok()) {
      Problem(where + ": " + root.status().message());
      return Status::Ok();
    }
    if (bucket.root != 0 && !Claim(*root)) return Status::Ok();
    return WalkPage(*root, depth, where, std::nullopt, std::nullopt);
  }

  // Walks `page`, whose keys must lie in [low, high).
  Status WalkPage(const PageView& page, int depth, const std::string& where,
                  std::optional<std::string_view> low, std::optional<std::string_view> high) {
    const std::string name = where + ", page " + std::to_string(page.id);
    // Real trees are a few levels deep; a long chain is corruption, and
    // following it would exhaust the stack.
    if (++depth_in_use_ > kMaxLevels) {
      --depth_in_use_;
      Problem(name + ": tree nested too deeply");
      return Status::Ok();
    }
    Status status = WalkElements(page, depth, where, name, low, high);
    --depth_in_use_;
    return status;
  }

  Status WalkElements(const PageView& page, int depth, const std::string& where,
                      const std::string& name, std::optional<std::string_view> low,
                      std::optional<std::string_view> high) {
    if (!(page.flags & (kBranchPage | kLeafPage))) {
      Problem(name + ": expected a branch or leaf page, found a " + PageTypeName(page.flags) +
              " page");
      return Status::Ok();
    }
    if ((page.flags & kBranchPage) && page.count == 0) {
      Problem(name + ": empty branch page");
      return Status::Ok();
    }
    std::string_view previous;
    for (uint16_t i = 0; i < page.count; ++i) {
      auto element = ReadElement(page, i);
      if (!element.ok()) {
        Problem(where + ": " + element.status().message());
        return Status::Ok();
      }
      if ((i > 0 && element->key <= previous) || (low && element->key < *low) ||
          (high && element->key >= *high)) {
        Problem(name + ": key " + std::to_string(i) + " is out of order");
      }
      previous = element->key;
      if (page.flags & kBranchPage) {
        auto child = db_.Page(element->child);
        if (!child.ok()) {
          Problem(name + ": " + child.status().message());
          continue;
        }
        if (!Claim(*child)) continue;
        std::optional<std::string_view> child_high = high;
        if (i + 1 < page.count) {
          auto next = ReadElement(page, i + 1);
          if (next.ok()) child_high = next->key;
        }
        KETCD_RETURN_IF_ERROR(WalkPage(*child, depth, where, element->key, child_high));
        continue;
      }
      if (options_.visit) {
        KETCD_RETURN_IF_ERROR(options_.visit(
            depth, element->key, element->is_bucket ? std::string_view() : element->value,
            element->is_bucket));
      }
      if (element->is_bucket) {
        const std::string nested = "bucket \"" + std::string(element->key) + "\"";
        auto bucket = ReadBucketValue(element->value);
        if (!bucket.ok()) {
          Problem(nested + ": " + bucket.status().message());
          continue;
        }
        KETCD_RETURN_IF_ERROR(WalkBucket(*bucket, depth + 1, nested));
      }
    }
    return Status::Ok();
  }

  const Database& db_;
  const CheckOptions& options_;
  CheckReport& report_;
  std::vector<PageState> state_;
  static constexpr int kMaxLevels = 256;
  int depth_in_use_ = 0;
};

}  // namespace

Result<CheckReport> CheckDatabase(const Database& db, const CheckOptions& options) {
  CheckReport report;
  Checker checker(db, options, report);
  KETCD_RETURN_IF_ERROR(checker.Run());
  return report;
}

}  // namespace ketcd::bolt
