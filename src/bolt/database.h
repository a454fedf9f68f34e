// A read-only view of a bbolt database file (see format.h for the layout).
// Every page id, offset and length is checked against the file before it is
// read, so a corrupt or truncated file yields an error, never a crash.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/mapped_file.h"
#include "util/status.h"

namespace ketcd::bolt {

struct Meta {
  uint32_t page_size = 0;
  uint32_t flags = 0;
  uint64_t root = 0;
  uint64_t root_sequence = 0;
  uint64_t freelist = 0;
  uint64_t high_water = 0;  // pages [0, high_water) are in use or free
  uint64_t txid = 0;
};

// What was found in one of the two meta pages.
struct MetaPage {
  bool valid = false;
  std::string problem;  // why it is not valid
  Meta meta;
};

// One page, its whole extent (overflow pages included) inside the file, or
// an inline bucket's page inside a leaf value.
struct PageView {
  uint64_t id = 0;
  uint16_t flags = 0;
  uint16_t count = 0;
  uint32_t overflow = 0;
  std::string_view bytes;  // from the page header to the end of the extent
};

// A bucket: the root page id, or the inline page held in its value.
struct BucketRef {
  uint64_t root = 0;
  std::string_view inline_page;
};

// One element of a branch or leaf page, bounds-checked.
struct Element {
  std::string_view key;
  std::string_view value;  // leaf only
  uint64_t child = 0;      // branch only
  bool is_bucket = false;  // leaf only
};

class Database {
 public:
  // Maps `path` read-only.
  static Result<Database> Open(const std::string& path);
  // Reads `bytes`, which must outlive the Database (tests, fuzzing).
  static Result<Database> FromBytes(std::string_view bytes);
  // Reads `bytes`, a part of `mapping` (a database stored in an archive),
  // which the Database keeps mapped.
  static Result<Database> InMapping(std::shared_ptr<MappedFile> mapping, std::string_view bytes);

  std::string_view file() const { return file_; }
  const Meta& meta() const { return meta_; }
  int meta_index() const { return meta_index_; }  // which meta page is in use
  const std::array<MetaPage, 2>& meta_pages() const { return meta_pages_; }
  // bbolt's Tx.Size(): the bytes up to the high-water mark.
  uint64_t size() const { return meta_.high_water * meta_.page_size; }

  // For reads of file() that do not go through Page(): keeps the resident
  // set bounded (MappedFile::Touched).
  void Touched(size_t bytes, bool random_access = false) const {
    if (mapping_) mapping_->Touched(bytes, random_access);
  }

  BucketRef root() const { return {meta_.root, {}}; }
  Result<PageView> Page(uint64_t id) const;
  Result<PageView> RootPage(const BucketRef& bucket) const;
  // The nested bucket `name` of `parent`; kNotFound when it has none.
  Result<BucketRef> Bucket(const BucketRef& parent, std::string_view name) const;

 private:
  Database() = default;
  static Result<Database> Parse(std::string_view bytes);

  std::shared_ptr<MappedFile> mapping_;
  std::string_view file_;
  std::array<MetaPage, 2> meta_pages_;
  Meta meta_;
  int meta_index_ = 0;
};

// The element `index` of a branch or leaf page.
Result<Element> ReadElement(const PageView& page, uint16_t index);
// The bucket a leaf value with the bucket flag describes.
Result<BucketRef> ReadBucketValue(std::string_view value);
// Page ids listed by a freelist page.
Result<std::vector<uint64_t>> ReadFreelist(const PageView& page);

// In-order iteration over one bucket's keys (nested buckets show up as
// elements with is_bucket set).
class Cursor {
 public:
  Cursor(const Database& db, BucketRef bucket) : db_(&db), bucket_(bucket) {}

  Status First();
  Status Last();
  Status Next();
  // Positions at the first key >= `key`.
  Status Seek(std::string_view key);

  bool valid() const { return !stack_.empty(); }
  const Element& element() const { return current_; }
  std::string_view key() const { return current_.key; }
  std::string_view value() const { return current_.value; }

 private:
  struct Frame {
    PageView page;
    uint16_t index;
  };

  // Follows first (or last) children from the top frame down to a leaf.
  Status DescendToLeaf(bool last = false);
  // Moves past exhausted pages; loads the current element if any remain.
  Status Settle();
  Status Push(const PageView& page);

  const Database* db_;
  BucketRef bucket_;
  std::vector<Frame> stack_;
  Element current_;
};

// The value of `key` in `bucket`; nullopt when the key is absent.
Result<std::optional<std::string_view>> LookUp(const Database& db, const BucketRef& bucket,
                                               std::string_view key);
// The value of `key` in the top-level bucket `bucket`, copied; empty when
// either is absent.
Result<std::string> ValueIn(const Database& db, std::string_view bucket, std::string_view key);

}  // namespace ketcd::bolt
