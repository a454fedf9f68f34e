// A sink that cuts an upload into parts of a fixed size for the object
// stores (S3 multipart upload, Azure block blob): memory holds one part,
// whatever the object's size. An object smaller than a part goes up in one
// request.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include "backup/byte_stream.h"

namespace ketcd::backup {

class ChunkedUploadSink : public ByteSink {
 public:
  explicit ChunkedUploadSink(size_t part_size) : part_size_(part_size) {}
  Status Write(std::string_view bytes) final {
    while (!bytes.empty()) {
      const size_t take = std::min(bytes.size(), part_size_ - buffer_.size());
      buffer_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (buffer_.size() == part_size_) KETCD_RETURN_IF_ERROR(Flush());
    }
    return Status::Ok();
  }
  Status Finish() final {
    if (parts_ == 0) return PutWhole(buffer_);
    if (!buffer_.empty()) KETCD_RETURN_IF_ERROR(Flush());
    return CompleteParts(parts_);
  }

 protected:
  virtual Status PutWhole(std::string_view bytes) = 0;
  virtual Status UploadPart(int number, std::string_view bytes) = 0;  // numbered from 1
  virtual Status CompleteParts(int count) = 0;
  int parts_uploaded() const { return parts_; }

 private:
  Status Flush() {
    KETCD_RETURN_IF_ERROR(UploadPart(parts_ + 1, buffer_));
    ++parts_;
    buffer_.clear();
    return Status::Ok();
  }
  size_t part_size_;
  std::string buffer_;
  int parts_ = 0;
};

}  // namespace ketcd::backup
