#include "bolt/check.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "bolt/format.h"

namespace ketcd::bolt {
namespace {

enum PageState : uint8_t { kUnseen, kReachable, kFree };

// What the walking threads share: the page states and the report.
class Checker {
 public:
  Checker(const Database& db, const CheckOptions& options, CheckReport& report)
      : db(db), options(options), states(db.meta().high_water), report_(report) {}

  void Problem(std::string text) {
    std::lock_guard lock(mutex_);
    if (report_.problems.size() < options.max_problems) report_.problems.push_back(std::move(text));
  }

  // Marks the pages of `page` reachable; false when they must not be read.
  bool Claim(const PageView& page) {
    for (uint64_t i = 0; i <= page.overflow; ++i) {
      const uint8_t before = states[page.id + i].exchange(kReachable);
      if (before == kReachable) {
        Problem("page " + std::to_string(page.id + i) + ": referenced more than once");
        return false;
      }
      if (before == kFree) Problem("page " + std::to_string(page.id + i) + ": in use but free");
    }
    return true;
  }

  const Database& db;
  const CheckOptions& options;
  std::vector<std::atomic<uint8_t>> states;
  std::atomic<bool> split_taken{false};

 private:
  CheckReport& report_;
  std::mutex mutex_;
};

// One thread's walk over part of the tree.
class Walker {
 public:
  Walker(Checker& checker, int segment, std::string bucket)
      : checker_(checker), segment_(segment), bucket_(std::move(bucket)) {}

  Status WalkBucket(const BucketRef& bucket, int depth, const std::string& where) {
    auto root = checker_.db.RootPage(bucket);
    if (!root.ok()) {
      checker_.Problem(where + ": " + root.status().message());
      return Status::Ok();
    }
    if (bucket.root != 0 && !checker_.Claim(*root)) return Status::Ok();
    if (depth == 1 && ShouldSplit(*root)) return WalkSplit(*root, depth, where);
    return WalkPage(*root, depth, where, std::nullopt, std::nullopt);
  }

 private:
  static constexpr uint16_t kMinChildrenToSplit = 2;
  // Real trees are a few levels deep; a long chain is corruption, and
  // following it would exhaust the stack.
  static constexpr int kMaxLevels = 256;

  bool ShouldSplit(const PageView& root) {
    return checker_.options.parallel && (root.flags & kBranchPage) &&
           root.count >= kMinChildrenToSplit && !checker_.split_taken.exchange(true);
  }

  // The two halves of a big bucket's root in two threads.
  Status WalkSplit(const PageView& root, int depth, const std::string& where) {
    const uint16_t half = root.count / 2;
    const std::string name = where + ", page " + std::to_string(root.id);
    Walker helper(checker_, segment_ + 1, bucket_);
    Status helper_status;
    std::thread second([&] {
      helper_status = helper.WalkElements(root, depth, where, name, half, root.count,
                                          std::nullopt, std::nullopt);
    });
    Status status = WalkElements(root, depth, where, name, 0, half, std::nullopt, std::nullopt);
    second.join();
    segment_ += 2;
    return status.ok() ? helper_status : status;
  }

  // Walks `page`, whose keys must lie in [low, high).
  Status WalkPage(const PageView& page, int depth, const std::string& where,
                  std::optional<std::string_view> low, std::optional<std::string_view> high) {
    const std::string name = where + ", page " + std::to_string(page.id);
    if (!(page.flags & (kBranchPage | kLeafPage))) {
      checker_.Problem(name + ": expected a branch or leaf page, found a " +
                       PageTypeName(page.flags) + " page");
      return Status::Ok();
    }
    if ((page.flags & kBranchPage) && page.count == 0) {
      checker_.Problem(name + ": empty branch page");
      return Status::Ok();
    }
    if (levels_ >= kMaxLevels) {
      checker_.Problem(name + ": tree nested too deeply");
      return Status::Ok();
    }
    ++levels_;
    Status status = WalkElements(page, depth, where, name, 0, page.count, low, high);
    --levels_;
    return status;
  }

  // Elements [begin, end) of `page`.
  Status WalkElements(const PageView& page, int depth, const std::string& where,
                      const std::string& name, uint16_t begin, uint16_t end,
                      std::optional<std::string_view> low, std::optional<std::string_view> high) {
    std::string_view previous;
    for (uint16_t i = begin; i < end; ++i) {
      auto element = ReadElement(page, i);
      if (!element.ok()) {
        checker_.Problem(where + ": " + element.status().message());
        return Status::Ok();
      }
      if ((i > begin && element->key <= previous) || (low && element->key < *low) ||
          (high && element->key >= *high)) {
        checker_.Problem(name + ": key " + std::to_string(i) + " is out of order");
      }
      previous = element->key;
      if (page.flags & kBranchPage) {
        auto child = checker_.db.Page(element->child);
        if (!child.ok()) {
          checker_.Problem(name + ": " + child.status().message());
          continue;
        }
        if (!checker_.Claim(*child)) continue;
        std::optional<std::string_view> child_high = high;
        if (i + 1 < page.count) {
          auto next = ReadElement(page, i + 1);
          if (next.ok()) child_high = next->key;
        }
        KETCD_RETURN_IF_ERROR(WalkPage(*child, depth, where, element->key, child_high));
        continue;
      }
      if (depth == 0) bucket_ = element->key;
      if (checker_.options.visit) {
        KETCD_RETURN_IF_ERROR(checker_.options.visit(
            {segment_, depth == 0 ? std::string_view() : std::string_view(bucket_), depth,
             element->key, element->is_bucket ? std::string_view() : element->value,
             element->is_bucket}));
      }
      if (element->is_bucket) {
        const std::string nested = "bucket \"" + std::string(element->key) + "\"";
        auto bucket = ReadBucketValue(element->value);
        if (!bucket.ok()) {
          checker_.Problem(nested + ": " + bucket.status().message());
          continue;
        }
        KETCD_RETURN_IF_ERROR(WalkBucket(*bucket, depth + 1, nested));
      }
    }
    return Status::Ok();
  }

  Checker& checker_;
  int segment_;
  std::string bucket_;  // the current top-level bucket
  int levels_ = 0;
};

void ReadFreePages(Checker& checker, uint64_t freelist_id) {
  auto page = checker.db.Page(freelist_id);
  if (!page.ok()) return checker.Problem("freelist: " + page.status().message());
  for (uint64_t i = 0; i <= page->overflow; ++i) checker.states[freelist_id + i] = kReachable;
  auto ids = ReadFreelist(*page);
  if (!ids.ok()) return checker.Problem(ids.status().message());
  for (uint64_t id : *ids) {
    if (id < 2 || id >= checker.states.size()) {
      checker.Problem("freelist: page " + std::to_string(id) + " is out of range");
    } else if (checker.states[id] != kUnseen) {
      checker.Problem("page " + std::to_string(id) + ": freed twice or freed while in use");
    } else {
      checker.states[id] = kFree;
    }
  }
}

}  // namespace

Result<CheckReport> CheckDatabase(const Database& db, const CheckOptions& options) {
  CheckReport report;
  Checker checker(db, options, report);
  for (int i = 0; i < 2; ++i) {
    const MetaPage& meta = db.meta_pages()[i];
    if (!meta.valid) checker.Problem("meta page " + std::to_string(i) + ": " + meta.problem);
  }
  checker.states[0] = checker.states[1] = kReachable;
  const bool freelist_on_disk = db.meta().freelist != kNoFreelist;
  if (freelist_on_disk) ReadFreePages(checker, db.meta().freelist);
  Walker walker(checker, 0, "");
  KETCD_RETURN_IF_ERROR(walker.WalkBucket(db.root(), 0, "root bucket"));
  for (uint64_t id = 0; id < checker.states.size(); ++id) {
    const uint8_t state = checker.states[id];
    if (state == kReachable) ++report.pages_reachable;
    if (state == kFree) ++report.pages_free;
    // Without a freelist on disk bbolt rebuilds it from unreachable pages.
    if (state == kUnseen && freelist_on_disk) {
      checker.Problem("page " + std::to_string(id) + ": unreachable and not free");
    }
  }
  return report;
}

}  // namespace ketcd::bolt
