// Incremental SHA-256 (OpenSSL), for digests of streams: snapshot
// trailers, backup objects; and HMAC-SHA256 for request signatures
// (S3's SigV4, Azure's SharedKey).
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace ketcd {

class Sha256 {
 public:
  static constexpr size_t kSize = 32;
  Sha256();
  ~Sha256();
  void Update(std::string_view bytes);
  // The 32-byte digest; the object is spent afterwards.
  std::string Finish();

 private:
  evp_md_ctx_st* context_;
};

// The 32-byte HMAC-SHA256 of `message` under `key`.
std::string HmacSha256(std::string_view key, std::string_view message);

// Lower-case hex of bytes (a digest for a manifest or a message).
std::string HexBytes(std::string_view bytes);

}  // namespace ketcd
