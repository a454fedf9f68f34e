// Streams of bytes between the stages of a backup (snapshot file ->
// compressor -> encryptor -> destination), so a backup of any size passes
// through bounded memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/durable_file.h"
#include "util/sha256.h"
#include "util/status.h"

namespace ketcd::backup {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
  // Flushes and completes the stream; no Write after it.
  virtual Status Finish() = 0;
};

// Collects what it is given, up to `limit` bytes (manifests: small).
class StringSink : public ByteSink {
 public:
  explicit StringSink(size_t limit = 1 << 20) : limit_(limit) {}
  Status Write(std::string_view bytes) override;
  Status Finish() override { return Status::Ok(); }
  std::string text;

 private:
  size_t limit_;
};

// SHA-256 and size of what passes through, on to `next`.
class HashingSink : public ByteSink {
 public:
  explicit HashingSink(ByteSink* next) : next_(next) {}
  Status Write(std::string_view bytes) override;
  Status Finish() override;
  const std::string& hex() const { return hex_; }
  int64_t bytes() const { return bytes_; }

 private:
  ByteSink* next_;
  Sha256 sha256_;
  std::string hex_;
  int64_t bytes_ = 0;
};

// Writes into a DurableFile's part; the owner commits it (after checking
// what was written), Finish() does not.
class DurableFileSink : public ByteSink {
 public:
  explicit DurableFileSink(DurableFile& file) : file_(file) {}
  Status Write(std::string_view bytes) override { return file_.Write(bytes); }
  Status Finish() override { return Status::Ok(); }

 private:
  DurableFile& file_;
};

// Streams the file at `path` into `out`, then finishes it.
Status CopyFile(const std::string& path, ByteSink& out);

}  // namespace ketcd::backup
