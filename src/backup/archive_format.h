// The backup object format: the snapshot, zstd-compressed, then optionally
// encrypted with AES-256-GCM in authenticated chunks:
//
//   "KETCDENC" | version u8 (1) | chunk size u32 BE | nonce prefix (8 random bytes)
//   chunks:    length u32 BE (high bit set on the last chunk) | ciphertext | tag (16)
//
// Chunk i's 12-byte nonce is the prefix followed by i (u32 BE); its
// additional data is the header followed by i and the last-chunk flag, so
// chunks cannot be reordered, dropped, truncated or moved between backups
// without the tag check failing. Every byte flip in any layer is refused.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "backup/byte_stream.h"

namespace ketcd::backup {

inline constexpr size_t kEncryptionKeyBytes = 32;

// Reads a 32-byte key: raw, or 64 hex digits, or 44 base64 characters
// (a trailing newline allowed). Refuses keys readable by group or others.
Result<std::string> LoadEncryptionKey(const std::string& path);

// Fills `size` bytes with cryptographically random bytes; false on failure.
using RandomBytes = std::function<bool(char* bytes, size_t size)>;
bool OpenSslRandomBytes(char* bytes, size_t size);

// Compressor (and encryptor when `key` is not empty) in front of `out`.
// Finish() completes every layer and then `out`. Each encrypted object gets
// a fresh random nonce prefix from `random`; when that fails, so does this
// (kInternal): a repeated GCM nonce would expose the plaintext.
Result<std::unique_ptr<ByteSink>> ArchiveWriter(ByteSink& out, const std::string& key, int zstd_level = 3,
                                                const RandomBytes& random = OpenSslRandomBytes);

// The inverse: writes the original snapshot bytes to `out`. kDataLoss for
// a tampered or truncated object (naming the layer) and, when `key` is
// given, for an unencrypted one (an attacker who can write to the store
// could have made it); kInvalidArgument for an encrypted object and no key.
Result<std::unique_ptr<ByteSink>> ArchiveReader(ByteSink& out, const std::string& key);

}  // namespace ketcd::backup
