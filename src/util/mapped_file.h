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
  // Records that `bytes` more of the mapping were read; after every
  // kResidentLimit, the mapping's pages are unmapped from the process
  // (views stay valid). Safe from several threads. A read at a random
  // place counts as kFaultAround at least: the kernel maps that much
  // around each page fault, so small scattered reads fill the resident set
  // far faster than their own size.
  void Touched(size_t bytes, bool random_access = false) const;
  static constexpr size_t kResidentLimit = size_t{32} << 20;
  static constexpr size_t kFaultAround = size_t{64} << 10;

 private:
  MappedFile(const char* data, size_t size) : data_(data), size_(size) {}
  const char* data_;
  size_t size_;
  mutable std::atomic<size_t> touched_{0};
};

}  // namespace ketcd
