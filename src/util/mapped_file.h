// MappedFile: a whole file mapped read-only, so large databases are read
// without copying them into memory (the page cache serves them). Pages a
// scan has touched stay mapped into the process and count as its resident
// memory; Touched() drops them every so often, so a scan of a file of any
// size keeps a bounded resident set (they refault from the page cache).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd {

class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {data_, size_}; }
  // Records that `bytes` more of the mapping were read; once the process
  // holds kResidentLimit more file pages than when the file was opened,
  // the mapping's pages are unmapped from the process (views stay valid).
  // Safe from several threads. How much the kernel maps per page fault is
  // its choice (fault-around, or a whole large folio of up to 2 MB on
  // recent kernels), so the resident file pages are read from
  // /proc/self/statm every kCheckEvery of reads (a read at a random place
  // counts as kFaultAround at least); without /proc, the pages are
  // dropped after every kResidentLimit of reads.
  void Touched(size_t bytes, bool random_access = false) const;
  static constexpr size_t kResidentLimit = size_t{32} << 20;
  static constexpr size_t kCheckEvery = size_t{1} << 20;
  static constexpr size_t kFaultAround = size_t{64} << 10;

 private:
  MappedFile(const char* data, size_t size, size_t resident_before)
      : data_(data), size_(size), resident_before_(resident_before) {}
  const char* data_;
  size_t size_;
  size_t resident_before_;  // the process's resident file pages at opening, in bytes
  mutable std::atomic<size_t> touched_{0};       // since the last check
  mutable std::atomic<size_t> since_dropped_{0};  // without /proc: since the last drop
};

}  // namespace ketcd
