// Streams of bytes between the stages of a backup (snapshot file ->
// compressor -> encryptor -> destination), so a backup of any size passes
// through bounded memory.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

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

// Writes a file (truncated first).
class FileWriter : public ByteSink {
 public:
  explicit FileWriter(const std::string& path) : path_(path), file_(path, std::ios::binary | std::ios::trunc) {}
  Status Write(std::string_view bytes) override;
  Status Finish() override;

 private:
  std::string path_;
  std::ofstream file_;
};

// Streams the file at `path` into `out`, then finishes it.
Status CopyFile(const std::string& path, ByteSink& out);

}  // namespace ketcd::backup
