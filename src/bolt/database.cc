#include "bolt/database.h"

#include <algorithm>

#include "bolt/format.h"
#include "util/string_building.h"

namespace ketcd::bolt {
namespace {

std::string PageName(uint64_t id) { return "page " + std::to_string(id); }

bool PlausiblePageSize(uint32_t size) {
  return size >= 512 && size <= (1u << 20) && std::has_single_bit(size);
}

MetaPage ReadMeta(std::string_view file, size_t offset) {
  MetaPage page;
  if (file.size() < offset + kPageHeaderSize + kMetaSize) {
    page.problem = "the file ends before it";
    return page;
  }
  const char* body = file.data() + offset + kPageHeaderSize;
  if (Load<uint32_t>(body) != kMagic) {
    page.problem = "bad magic number";
    return page;
  }
  if (Load<uint32_t>(body + 4) != kVersion) {
    page.problem = "unsupported version " + std::to_string(Load<uint32_t>(body + 4));
    return page;
  }
  const uint64_t checksum = Load<uint64_t>(body + kMetaChecksumOffset);
  // bbolt accepts a zero checksum (files written before checksums existed).
  if (checksum != 0 && checksum != MetaChecksum(body)) {
    page.problem = "checksum mismatch";
    return page;
  }
  Meta& meta = page.meta;
  meta.page_size = Load<uint32_t>(body + 8);
  meta.flags = Load<uint32_t>(body + 12);
  meta.root = Load<uint64_t>(body + 16);
  meta.root_sequence = Load<uint64_t>(body + 24);
  meta.freelist = Load<uint64_t>(body + 32);
  meta.high_water = Load<uint64_t>(body + 40);
  meta.txid = Load<uint64_t>(body + 48);
  if (!PlausiblePageSize(meta.page_size)) {
    page.problem = "implausible page size " + std::to_string(meta.page_size);
  } else if (meta.high_water < 3 || meta.root < 2 || meta.root >= meta.high_water ||
             (meta.freelist != kNoFreelist &&
              (meta.freelist < 2 || meta.freelist >= meta.high_water))) {
    page.problem = "page ids out of range (root " + std::to_string(meta.root) + ", freelist " +
                   std::to_string(meta.freelist) + ", high-water mark " +
                   std::to_string(meta.high_water) + ")";
  } else {
    page.valid = true;
  }
  return page;
}

Result<PageView> ViewPage(std::string_view extent, uint64_t expected_id, bool check_id) {
  if (extent.size() < kPageHeaderSize) return DataLoss(PageName(expected_id) + ": truncated");
  PageView page;
  page.id = Load<uint64_t>(extent.data());
  page.flags = Load<uint16_t>(extent.data() + 8);
  page.count = Load<uint16_t>(extent.data() + 10);
  page.overflow = Load<uint32_t>(extent.data() + 12);
  if (check_id && page.id != expected_id) {
    return DataLoss(PageName(expected_id) + ": header says it is page " + std::to_string(page.id));
  }
  page.bytes = extent;
  return page;
}

}  // namespace

Result<Database> Database::Open(const std::string& path) {
  auto mapping = MappedFile::Open(path);
  if (!mapping.ok()) return mapping.status();
  std::shared_ptr<MappedFile> shared = std::move(*mapping);
  const std::string_view bytes = shared->bytes();
  auto db = InMapping(std::move(shared), bytes);
  if (!db.ok()) return db.status().WithContext(path);
  return db;
}

Result<Database> Database::InMapping(std::shared_ptr<MappedFile> mapping, std::string_view bytes) {
  auto db = Parse(bytes);
  if (!db.ok()) return db.status();
  db->mapping_ = std::move(mapping);
  return db;
}

Result<Database> Database::FromBytes(std::string_view bytes) { return Parse(bytes); }

Result<Database> Database::Parse(std::string_view bytes) {
  Database db;
  db.file_ = bytes;
  db.meta_pages_[0] = ReadMeta(bytes, 0);
  // Meta page 1 sits one page in; without a valid meta 0 the page size is
  // unknown, so try the sizes bbolt uses in practice.
  if (db.meta_pages_[0].valid) {
    db.meta_pages_[1] = ReadMeta(bytes, db.meta_pages_[0].meta.page_size);
  } else {
    for (uint32_t size : {4096u, 8192u, 16384u, 32768u, 65536u}) {
      db.meta_pages_[1] = ReadMeta(bytes, size);
      if (db.meta_pages_[1].valid && db.meta_pages_[1].meta.page_size == size) break;
      if (db.meta_pages_[1].valid) db.meta_pages_[1] = {false, "page size does not match its offset", {}};
    }
  }
  const MetaPage& a = db.meta_pages_[0];
  const MetaPage& b = db.meta_pages_[1];
  if (!a.valid && !b.valid) {
    return DataLoss("not a usable bbolt database: meta page 0: " + a.problem +
                    "; meta page 1: " + b.problem);
  }
  // Like bbolt: the valid meta page with the higher transaction id wins.
  db.meta_index_ = (!a.valid || (b.valid && b.meta.txid > a.meta.txid)) ? 1 : 0;
  db.meta_ = db.meta_pages_[db.meta_index_].meta;
  // Compared by pages: a corrupt high-water mark times the page size could
  // overflow.
  if (db.meta_.high_water > bytes.size() / db.meta_.page_size) {
    return DataLoss("truncated: the database needs " + std::to_string(db.meta_.high_water) +
                    " pages of " + std::to_string(db.meta_.page_size) + " bytes, the file has " +
                    std::to_string(bytes.size()) + " bytes");
  }
  return db;
}

Result<PageView> Database::Page(uint64_t id) const {
  if (id >= meta_.high_water) {
    return DataLoss(PageName(id) + ": past the high-water mark " + std::to_string(meta_.high_water));
  }
  const uint64_t offset = id * meta_.page_size;
  const uint64_t end = meta_.high_water * meta_.page_size;
  auto page = ViewPage(file_.substr(offset, std::min<uint64_t>(meta_.page_size, end - offset)),
                       id, true);
  if (!page.ok()) return page.status();
  const uint64_t extent = (uint64_t{page->overflow} + 1) * meta_.page_size;
  if (page->overflow >= meta_.high_water || extent > end - offset) {
    return DataLoss(PageName(id) + ": " + std::to_string(page->overflow) +
                    " overflow pages run past the high-water mark");
  }
  page->bytes = file_.substr(offset, extent);
  Touched(extent);
  return page;
}

Result<PageView> Database::RootPage(const BucketRef& bucket) const {
  if (bucket.root != 0) return Page(bucket.root);
  auto page = ViewPage(bucket.inline_page, 0, false);
  if (!page.ok()) return page.status().WithContext("inline bucket");
  if (!(page->flags & kLeafPage)) return DataLoss("inline bucket: not a leaf page");
  return page;
}

Result<BucketRef> Database::Bucket(const BucketRef& parent, std::string_view name) const {
  Cursor cursor(*this, parent);
  KETCD_RETURN_IF_ERROR(cursor.Seek(name));
  if (!cursor.valid() || cursor.key() != name) {
    return NotFound("no bucket \"" + std::string(name) + "\"");
  }
  if (!cursor.element().is_bucket) {
    return DataLoss(Quoted(name) + " is a key, not a bucket");
  }
  return ReadBucketValue(cursor.value());
}

Result<Element> ReadElement(const PageView& page, uint16_t index) {
  const size_t at = kPageHeaderSize + size_t{index} * kElementSize;
  if (index >= page.count || at + kElementSize > page.bytes.size()) {
    return DataLoss(PageName(page.id) + ": element " + std::to_string(index) +
                    " lies outside the page");
  }
  const char* element = page.bytes.data() + at;
  Element result;
  uint64_t key_at, key_size, value_size = 0;
  if (page.flags & kBranchPage) {
    key_at = at + Load<uint32_t>(element);
    key_size = Load<uint32_t>(element + 4);
    result.child = Load<uint64_t>(element + 8);
  } else if (page.flags & kLeafPage) {
    result.is_bucket = (Load<uint32_t>(element) & kBucketLeafFlag) != 0;
    key_at = at + Load<uint32_t>(element + 4);
    key_size = Load<uint32_t>(element + 8);
    value_size = Load<uint32_t>(element + 12);
  } else {
    return DataLoss(PageName(page.id) + ": expected a branch or leaf page, found a " +
                    PageTypeName(page.flags) + " page");
  }
  if (key_at + key_size + value_size > page.bytes.size()) {
    return DataLoss(PageName(page.id) + ": element " + std::to_string(index) +
                    " points past the end of the page");
  }
  result.key = page.bytes.substr(key_at, key_size);
  result.value = page.bytes.substr(key_at + key_size, value_size);
  return result;
}

Result<BucketRef> ReadBucketValue(std::string_view value) {
  if (value.size() < kBucketHeaderSize) return DataLoss("bucket header is truncated");
  BucketRef bucket;
  bucket.root = Load<uint64_t>(value.data());
  if (bucket.root == 0) bucket.inline_page = value.substr(kBucketHeaderSize);
  return bucket;
}

Result<std::vector<uint64_t>> ReadFreelist(const PageView& page) {
  if (!(page.flags & kFreelistPage)) {
    return DataLoss(PageName(page.id) + ": expected the freelist, found a " +
                    PageTypeName(page.flags) + " page");
  }
  uint64_t count = page.count;
  size_t at = kPageHeaderSize;
  if (count == kFreelistCountOverflow) {
    if (page.bytes.size() < at + 8) return DataLoss(PageName(page.id) + ": freelist truncated");
    count = Load<uint64_t>(page.bytes.data() + at);
    at += 8;
  }
  if (count > (page.bytes.size() - at) / 8) {
    return DataLoss(PageName(page.id) + ": freelist of " + std::to_string(count) +
                    " ids does not fit in the page");
  }
  std::vector<uint64_t> ids(count);
  if (count > 0) std::memcpy(ids.data(), page.bytes.data() + at, count * 8);
  return ids;
}

// A bucket deeper than this is a cycle in a corrupt file (bbolt trees of
// billions of keys are a handful of levels deep).
constexpr size_t kMaxDepth = 64;

Status Cursor::Push(const PageView& page) {
  if (stack_.size() >= kMaxDepth) return DataLoss(PageName(page.id) + ": tree too deep (a cycle?)");
  if (!(page.flags & (kBranchPage | kLeafPage))) {
    return DataLoss(PageName(page.id) + ": expected a branch or leaf page, found a " +
                    PageTypeName(page.flags) + " page");
  }
  if ((page.flags & kBranchPage) && page.count == 0) {
    return DataLoss(PageName(page.id) + ": empty branch page");
  }
  stack_.push_back({page, 0});
  return Status::Ok();
}

Status Cursor::DescendToLeaf(bool last) {
  while (true) {
    Frame& top = stack_.back();
    if (last) top.index = top.page.count == 0 ? 0 : top.page.count - 1;
    if (!(top.page.flags & kBranchPage)) return Status::Ok();
    auto element = ReadElement(top.page, top.index);
    if (!element.ok()) return element.status();
    auto child = db_->Page(element->child);
    if (!child.ok()) return child.status();
    KETCD_RETURN_IF_ERROR(Push(*child));
  }
}

Status Cursor::Settle() {
  while (!stack_.empty() && stack_.back().index >= stack_.back().page.count) {
    stack_.pop_back();
    if (stack_.empty()) break;
    ++stack_.back().index;
    if (stack_.back().index < stack_.back().page.count) KETCD_RETURN_IF_ERROR(DescendToLeaf());
  }
  if (stack_.empty()) return Status::Ok();
  auto element = ReadElement(stack_.back().page, stack_.back().index);
  if (!element.ok()) return element.status();
  current_ = *element;
  return Status::Ok();
}

Status Cursor::First() {
  stack_.clear();
  auto root = db_->RootPage(bucket_);
  if (!root.ok()) return root.status();
  KETCD_RETURN_IF_ERROR(Push(*root));
  KETCD_RETURN_IF_ERROR(DescendToLeaf());
  return Settle();
}

Status Cursor::Last() {
  stack_.clear();
  auto root = db_->RootPage(bucket_);
  if (!root.ok()) return root.status();
  KETCD_RETURN_IF_ERROR(Push(*root));
  KETCD_RETURN_IF_ERROR(DescendToLeaf(true));
  if (stack_.back().page.count == 0) {  // an empty bucket
    stack_.clear();
    return Status::Ok();
  }
  return Settle();
}

Status Cursor::Next() {
  if (stack_.empty()) return Status::Ok();
  ++stack_.back().index;
  return Settle();
}

Status Cursor::Seek(std::string_view key) {
  stack_.clear();
  auto root = db_->RootPage(bucket_);
  if (!root.ok()) return root.status();
  KETCD_RETURN_IF_ERROR(Push(*root));
  while (true) {
    Frame& top = stack_.back();
    // The first element whose key is >= `key` (binary search over elements).
    uint16_t low = 0, high = top.page.count;
    bool exact = false;
    while (low < high) {
      uint16_t middle = low + (high - low) / 2;
      auto element = ReadElement(top.page, middle);
      if (!element.ok()) return element.status();
      int order = element->key.compare(key);
      if (order == 0) exact = true;
      if (order < 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    if (top.page.flags & kLeafPage) {
      top.index = low;
      return Settle();
    }
    // In a branch, the child whose key range holds `key`: the last
    // element with a key <= `key`.
    top.index = (exact || low == 0) ? low : low - 1;
    auto element = ReadElement(top.page, top.index);
    if (!element.ok()) return element.status();
    auto child = db_->Page(element->child);
    if (!child.ok()) return child.status();
    KETCD_RETURN_IF_ERROR(Push(*child));
  }
}

Result<std::optional<std::string_view>> LookUp(const Database& db, const BucketRef& bucket,
                                               std::string_view key) {
  Cursor cursor(db, bucket);
  KETCD_RETURN_IF_ERROR(cursor.Seek(key));
  if (!cursor.valid() || cursor.key() != key) return std::optional<std::string_view>();
  return std::optional<std::string_view>(cursor.value());
}

Result<std::string> ValueIn(const Database& db, std::string_view bucket, std::string_view key) {
  auto found = db.Bucket(db.root(), bucket);
  if (!found.ok()) return std::string();
  auto value = LookUp(db, *found, key);
  if (!value.ok()) return value.status();
  return *value ? std::string(**value) : std::string();
}

}  // namespace ketcd::bolt
