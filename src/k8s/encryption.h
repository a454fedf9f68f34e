// Encryption at rest: reading values the API server encrypted with the
// providers of an EncryptionConfiguration file (apiserver.config.k8s.io/v1).
// Formats: ../shared/notes/k8s-storage.md section 2.
//   k8s:enc:aescbc:v1:<key>:    16-byte IV + AES-CBC, PKCS#7 padding
//   k8s:enc:aesgcm:v1:<key>:    12-byte nonce + AES-GCM + tag, AAD = etcd key
//   k8s:enc:secretbox:v1:<key>: 24-byte nonce + NaCl secretbox (tag first)
//   k8s:enc:kms:v1|v2:<name>:   needs the KMS plugin; reported, not decrypted
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace ketcd::k8s {

class EncryptionConfig {
 public:
  // Reads an EncryptionConfiguration YAML file. kInvalidArgument names
  // what is wrong (bad base64, wrong key length, unknown provider).
  static Result<EncryptionConfig> Load(const std::string& path);

  // The plaintext of a stored value; values without the k8s:enc: prefix are
  // returned as they are. `etcd_key` (the full key, e.g.
  // /registry/secrets/ns/name) is AES-GCM's authenticated data.
  Result<std::string> Decrypt(std::string_view value, std::string_view etcd_key) const;

 private:
  struct Key {
    std::string provider;  // "aescbc", "aesgcm", "secretbox"
    std::string name;
    std::string secret;  // raw key bytes
  };
  std::string origin_;
  std::vector<Key> keys_;
};

// The plaintext of `value`: decrypted with `config` when it is encrypted.
// Without a config (nullptr) an encrypted value is kFailed, naming its
// provider and key and asking for --encryption-config.
Result<std::string> DecryptIfNeeded(const EncryptionConfig* config, std::string_view value,
                                    std::string_view etcd_key);

// What the prefix of an encrypted value says, for messages without a
// config: "aescbc key key1", "kms v2 provider my-kms".
std::string DescribeEncryption(std::string_view value);

}  // namespace ketcd::k8s
