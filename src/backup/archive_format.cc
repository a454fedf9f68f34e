#include "backup/archive_format.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <zstd.h>

#include <cstring>

#include "util/base64.h"
#include "util/read_file.h"

namespace ketcd::backup {
namespace {

constexpr std::string_view kMagic = "KETCDENC";
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderBytes = 8 + 1 + 4 + 8;
constexpr size_t kTagBytes = 16;
constexpr uint32_t kLastChunk = 0x80000000u;
constexpr uint32_t kChunkBytes = 1 << 20;
constexpr std::string_view kZstdMagic{"\x28\xb5\x2f\xfd", 4};

void PutU32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint32_t GetU32(std::string_view in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = value << 8 | static_cast<uint8_t>(in[i]);
  return value;
}

// AES-256-GCM of one chunk; `decrypt` checks the tag.
Result<std::string> Seal(bool decrypt, const std::string& key, const std::string& header, uint32_t index, bool last,
                         std::string_view input) {
  std::string nonce = header.substr(13, 8);
  PutU32(nonce, index);
  std::string aad = header;
  PutU32(aad, index);
  aad.push_back(last ? 1 : 0);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  auto* k = reinterpret_cast<const unsigned char*>(key.data());
  auto* iv = reinterpret_cast<const unsigned char*>(nonce.data());
  const bool ok_init = decrypt ? EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k, iv)
                               : EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k, iv);
  if (!ctx || !ok_init) return Internal("AES-256-GCM unavailable");
  if (decrypt && input.size() < kTagBytes) return DataLoss("encrypted chunk " + std::to_string(index) + ": too short");
  // Every OpenSSL result is checked: an encryption that failed half-way
  // must never be stored as if it had worked.
  int n = 0;
  auto update = decrypt ? EVP_DecryptUpdate : EVP_EncryptUpdate;
  const size_t body = decrypt ? input.size() - kTagBytes : input.size();
  std::string out(body + (decrypt ? 0 : kTagBytes), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  bool ok = update(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                   static_cast<int>(aad.size())) == 1 &&
            update(ctx.get(), dst, &n, reinterpret_cast<const unsigned char*>(input.data()), static_cast<int>(body)) == 1;
  if (decrypt) {
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, const_cast<char*>(input.data() + body)) == 1;
    if (!ok || EVP_DecryptFinal_ex(ctx.get(), dst + n, &n) != 1) {
      return DataLoss("encrypted chunk " + std::to_string(index) + " fails authentication (tampered, or the wrong key)");
    }
  } else {
    ok = ok && EVP_EncryptFinal_ex(ctx.get(), dst + n, &n) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, dst + body) == 1;
    if (!ok) return Internal("AES-256-GCM encryption failed");
  }
  return out;
}

class EncryptSink : public ByteSink {
 public:
  // `nonce_prefix`: 8 random bytes, fresh for every object.
  EncryptSink(ByteSink& out, std::string key, const std::string& nonce_prefix) : out_(out), key_(std::move(key)) {
    header_.append(kMagic);
    header_.push_back(static_cast<char>(kVersion));
    PutU32(header_, kChunkBytes);
    header_ += nonce_prefix;
  }
  Status Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      if (pending_.size() == kChunkBytes) KETCD_RETURN_IF_ERROR(Emit(false));
      const size_t take = std::min(bytes.size(), kChunkBytes - pending_.size());
      pending_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
    }
    return Status::Ok();
  }
  Status Finish() override {
    KETCD_RETURN_IF_ERROR(Emit(true));
    return out_.Finish();
  }

 private:
  Status Emit(bool last) {
    std::string frame;
    if (index_ == 0) frame = header_;
    auto sealed = Seal(false, key_, header_, index_++, last, pending_);
    if (!sealed.ok()) return sealed.status();
    PutU32(frame, static_cast<uint32_t>(pending_.size()) | (last ? kLastChunk : 0));
    frame += *sealed;
    pending_.clear();
    return out_.Write(frame);
  }
  ByteSink& out_;
  std::string key_, header_, pending_;
  uint32_t index_ = 0;
};

class DecryptSink : public ByteSink {
 public:
  DecryptSink(ByteSink& out, std::string key) : out_(out), key_(std::move(key)) {}
  Status Write(std::string_view bytes) override {
    buffer_.append(bytes);
    while (true) {
      if (header_.empty()) {
        if (buffer_.size() < kHeaderBytes) return Status::Ok();
        header_ = buffer_.substr(0, kHeaderBytes);
        buffer_.erase(0, kHeaderBytes);
        if (header_.substr(0, 8) != kMagic || static_cast<uint8_t>(header_[8]) != kVersion ||
            GetU32(header_.substr(9)) != kChunkBytes) {
          return DataLoss("encryption header damaged");
        }
      }
      if (done_) return buffer_.empty() ? Status::Ok() : DataLoss("bytes after the last encrypted chunk");
      if (buffer_.size() < 4) return Status::Ok();
      const uint32_t word = GetU32(buffer_);
      const uint32_t length = word & ~kLastChunk;
      if (length > kChunkBytes) return DataLoss("encrypted chunk " + std::to_string(index_) + ": bad length");
      if (buffer_.size() < 4 + length + kTagBytes) return Status::Ok();
      const bool last = word & kLastChunk;
      auto plain = Seal(true, key_, header_, index_++, last, std::string_view(buffer_).substr(4, length + kTagBytes));
      if (!plain.ok()) return plain.status();
      buffer_.erase(0, 4 + length + kTagBytes);
      done_ = last;
      KETCD_RETURN_IF_ERROR(out_.Write(*plain));
    }
  }
  Status Finish() override {
    if (!done_) return DataLoss("encrypted stream truncated (no last chunk)");
    return out_.Finish();
  }

 private:
  ByteSink& out_;
  std::string key_, header_, buffer_;
  uint32_t index_ = 0;
  bool done_ = false;
};

class CompressSink : public ByteSink {
 public:
  CompressSink(ByteSink& out, int level) : out_(out), stream_(ZSTD_createCStream()) {
    ZSTD_CCtx_setParameter(stream_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(stream_, ZSTD_c_checksumFlag, 1);
  }
  ~CompressSink() override { ZSTD_freeCStream(stream_); }
  Status Write(std::string_view bytes) override { return Run(bytes, ZSTD_e_continue); }
  Status Finish() override {
    KETCD_RETURN_IF_ERROR(Run({}, ZSTD_e_end));
    return out_.Finish();
  }

 private:
  Status Run(std::string_view bytes, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    std::string buffer(ZSTD_CStreamOutSize(), '\0');
    while (true) {
      ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
      const size_t left = ZSTD_compressStream2(stream_, &out, &in, mode);
      if (ZSTD_isError(left)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(left));
      if (out.pos > 0) KETCD_RETURN_IF_ERROR(out_.Write(std::string_view(buffer.data(), out.pos)));
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return Status::Ok();
    }
  }
  ByteSink& out_;
  ZSTD_CStream* stream_;
};

class DecompressSink : public ByteSink {
 public:
  explicit DecompressSink(ByteSink& out) : out_(out), stream_(ZSTD_createDStream()) {}
  ~DecompressSink() override { ZSTD_freeDStream(stream_); }
  Status Write(std::string_view bytes) override {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    std::string buffer(ZSTD_DStreamOutSize(), '\0');
    while (in.pos < in.size || pending_output_) {
      if (frame_done_ && in.pos < in.size) return DataLoss("bytes after the compressed snapshot");
      ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
      const size_t hint = ZSTD_decompressStream(stream_, &out, &in);
      if (ZSTD_isError(hint)) return DataLoss(std::string("compressed data damaged: ") + ZSTD_getErrorName(hint));
      frame_done_ = hint == 0;
      pending_output_ = !frame_done_ && out.pos == out.size;  // more may be waiting inside
      if (out.pos > 0) KETCD_RETURN_IF_ERROR(out_.Write(std::string_view(buffer.data(), out.pos)));
    }
    return Status::Ok();
  }
  Status Finish() override {
    if (!frame_done_) return DataLoss("compressed data truncated");
    return out_.Finish();
  }

 private:
  ByteSink& out_;
  ZSTD_DStream* stream_;
  bool frame_done_ = false, pending_output_ = false;
};

// Looks at the first bytes to choose the layers, then passes everything on.
class DetectingReader : public ByteSink {
 public:
  DetectingReader(ByteSink& out, std::string key) : out_(out), key_(std::move(key)) {}
  Status Write(std::string_view bytes) override {
    if (next_ != nullptr) return next_->Write(bytes);
    head_.append(bytes);
    if (head_.size() < kMagic.size()) return Status::Ok();
    KETCD_RETURN_IF_ERROR(Choose());
    return next_->Write(std::exchange(head_, {}));
  }
  Status Finish() override {
    if (next_ == nullptr) {
      if (head_.size() < kZstdMagic.size()) return DataLoss("not a ketcd backup (too short)");
      KETCD_RETURN_IF_ERROR(Choose());
      KETCD_RETURN_IF_ERROR(next_->Write(std::exchange(head_, {})));
    }
    return next_->Finish();
  }

 private:
  Status Choose() {
    decompress_ = std::make_unique<DecompressSink>(out_);
    if (head_.starts_with(kMagic)) {
      if (key_.empty()) return InvalidArgument("the backup is encrypted: give the key (encryption.key_file)");
      decrypt_ = std::make_unique<DecryptSink>(*decompress_, key_);
      next_ = decrypt_.get();
    } else if (head_.starts_with(kZstdMagic)) {
      // With a key, only encrypted objects are backups of ours: anyone who
      // can write to the store can make a plain one.
      if (!key_.empty()) return DataLoss("the backup is not encrypted, but a key is configured: refused");
      next_ = decompress_.get();
    } else {
      return DataLoss("not a ketcd backup (neither encrypted nor zstd)");
    }
    return Status::Ok();
  }
  ByteSink& out_;
  std::string key_, head_;
  std::unique_ptr<DecompressSink> decompress_;
  std::unique_ptr<DecryptSink> decrypt_;
  ByteSink* next_ = nullptr;
};

// Compress and encrypt, owning both layers.
class WriterChain : public ByteSink {
 public:
  WriterChain(ByteSink& out, const std::string& key, const std::string& nonce_prefix, int level) {
    if (!key.empty()) encrypt_ = std::make_unique<EncryptSink>(out, key, nonce_prefix);
    compress_ = std::make_unique<CompressSink>(encrypt_ ? *encrypt_ : out, level);
  }
  Status Write(std::string_view bytes) override { return compress_->Write(bytes); }
  Status Finish() override { return compress_->Finish(); }

 private:
  std::unique_ptr<EncryptSink> encrypt_;
  std::unique_ptr<CompressSink> compress_;
};

}  // namespace

// GCC 12 at -O2 takes the move of the 32-byte key into the Result for a
// copy through a string's 16-byte inline buffer (-Warray-bounds,
// -Wstringop-overread, -Wstringop-overflow); a 32-byte string never uses
// that buffer. (Clang has no such warnings, nor some of these names.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
Result<std::string> LoadEncryptionKey(const std::string& path) {
  auto read = ReadPrivateFile(path);
  if (!read.ok()) return read.status();
  std::string text = std::move(*read);
  if (text.size() == kEncryptionKeyBytes) return text;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() == 2 * kEncryptionKeyBytes && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    std::string key;
    for (size_t i = 0; i < text.size(); i += 2) key.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
    return key;
  }
  std::string decoded;
  if (Base64Decode(text, &decoded) && decoded.size() == kEncryptionKeyBytes) return decoded;
  return InvalidArgument(path + ": not a 32-byte key (raw, 64 hex digits or base64)");
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

bool OpenSslRandomBytes(char* bytes, size_t size) {
  return RAND_bytes(reinterpret_cast<unsigned char*>(bytes), static_cast<int>(size)) == 1;
}

Result<std::unique_ptr<ByteSink>> ArchiveWriter(ByteSink& out, const std::string& key, int zstd_level,
                                                const RandomBytes& random) {
  if (!key.empty() && key.size() != kEncryptionKeyBytes) return InvalidArgument("the encryption key must be 32 bytes");
  // A nonce prefix repeated under one key would let GCM's key stream be
  // recovered: no object is written without fresh random bytes.
  std::string nonce_prefix(8, '\0');
  if (!key.empty() && !random(nonce_prefix.data(), nonce_prefix.size())) {
    return Internal("no random bytes for the encryption nonce (the system's random generator failed)");
  }
  return std::unique_ptr<ByteSink>(new WriterChain(out, key, nonce_prefix, zstd_level));
}

Result<std::unique_ptr<ByteSink>> ArchiveReader(ByteSink& out, const std::string& key) {
  if (!key.empty() && key.size() != kEncryptionKeyBytes) return InvalidArgument("the encryption key must be 32 bytes");
  return std::unique_ptr<ByteSink>(new DetectingReader(out, key));
}

}  // namespace ketcd::backup
