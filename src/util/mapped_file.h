// MappedFile: a whole file mapped read-only, so large databases are read
// without copying them into memory (the page cache serves them).
#pragma once

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

 private:
  MappedFile(const char* data, size_t size) : data_(data), size_(size) {}
  const char* data_;
  size_t size_;
};

}  // namespace ketcd
