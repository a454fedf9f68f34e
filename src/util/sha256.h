// Incremental SHA-256 (OpenSSL), for digests of streams: snapshot
// trailers, backup objects.
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

// Lower-case hex of bytes (a digest for a manifest or a message).
std::string HexBytes(std::string_view bytes);

}  // namespace ketcd
