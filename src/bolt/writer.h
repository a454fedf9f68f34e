// Writes a new, compact bbolt database from buckets and keys given in
// order, the way bbolt's own compaction lays one out: full leaf pages
// written as they fill, branch pages above them, then the root bucket, an
// empty freelist and both meta pages. Memory holds one page per tree level
// plus one separator key per page.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/durable_file.h"
#include "util/status.h"

namespace ketcd::bolt {

class Writer {
 public:
  // Creates `path` (which must not exist), mode 0600, through a
  // DurableFile: it appears only when Finish() succeeds; a Writer destroyed
  // before that leaves nothing behind.
  static Result<std::unique_ptr<Writer>> Create(const std::string& path,
                                                uint32_t page_size = 4096);
  ~Writer();

  // Top-level buckets, in ascending name order; keys within each bucket in
  // ascending order.
  Status BeginBucket(std::string_view name);
  Status Put(std::string_view key, std::string_view value);
  // Writes the remaining pages and the metas, fsyncs the file and renames it
  // into place.
  Status Finish();

  class Tree;

 private:
  Writer(DurableFile file, uint32_t page_size);
  friend class Tree;
  // Writes `page` (a whole number of pages, header filled in) at a fresh id.
  Result<uint64_t> WritePage(std::string& page);
  // Writes the buffered pages (they are written in id order, so one pwrite
  // takes many) and starts their writeback, so the final fsync has little
  // left to wait for.
  Status FlushPages();
  Status EndBucket();

  DurableFile file_;
  std::string path_;  // the part being written, for messages
  uint32_t page_size_;
  uint64_t next_page_ = 2;  // 0 and 1 are the meta pages
  std::string pending_;     // pages from pending_first_ on, not yet written
  uint64_t pending_first_ = 2;
  std::unique_ptr<Tree> root_;
  std::unique_ptr<Tree> bucket_;
  std::string bucket_name_;
  std::string last_key_;
  bool finished_ = false;
};

}  // namespace ketcd::bolt
