#include "k8s/encryption.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <yaml-cpp/yaml.h>

#include <memory>

#include "util/base64.h"
#include "util/known_keys.h"

namespace ketcd::k8s {
namespace {

constexpr std::string_view kPrefix = "k8s:enc:";

struct ParsedPrefix {
  std::string provider;  // aescbc, aesgcm, secretbox, kms
  std::string version;   // v1, v2
  std::string name;      // key name or kms provider name
  std::string_view payload;
};

// "k8s:enc:<provider>:<version>:<name>:<payload>"
bool ParsePrefix(std::string_view value, ParsedPrefix* out) {
  if (value.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view rest = value.substr(kPrefix.size());
  std::string parts[3];
  for (auto& part : parts) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) return false;
    part = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  out->provider = parts[0];
  out->version = parts[1];
  out->name = parts[2];
  out->payload = rest;
  return true;
}

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

const EVP_CIPHER* AesCipher(size_t key_size, bool gcm) {
  switch (key_size) {
    case 16:
      return gcm ? EVP_aes_128_gcm() : EVP_aes_128_cbc();
    case 24:
      return gcm ? EVP_aes_192_gcm() : EVP_aes_192_cbc();
    case 32:
      return gcm ? EVP_aes_256_gcm() : EVP_aes_256_cbc();
    default:
      return nullptr;
  }
}

Result<std::string> AesCbcDecrypt(const std::string& key, std::string_view payload) {
  if (payload.size() < 32 || payload.size() % 16 != 0) {
    return DataLoss("aescbc payload length " + std::to_string(payload.size()) +
                    " is not an IV plus whole blocks");
  }
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter> ctx(EVP_CIPHER_CTX_new());
  const auto* iv = reinterpret_cast<const unsigned char*>(payload.data());
  std::string_view ciphertext = payload.substr(16);
  std::string plain(ciphertext.size(), '\0');
  int written = 0;
  // Padding is checked below ourselves, byte by byte, as Kubernetes does.
  if (EVP_DecryptInit_ex(ctx.get(), AesCipher(key.size(), false), nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()), iv) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &written,
                        reinterpret_cast<const unsigned char*>(ciphertext.data()),
                        static_cast<int>(ciphertext.size())) != 1) {
    return DataLoss("aescbc: decryption failed");
  }
  plain.resize(static_cast<size_t>(written));
  unsigned pad = plain.empty() ? 0 : static_cast<unsigned char>(plain.back());
  bool padding_ok = pad >= 1 && pad <= 16 && pad <= plain.size();
  for (size_t i = 0; padding_ok && i < pad; ++i) {
    padding_ok = static_cast<unsigned char>(plain[plain.size() - 1 - i]) == pad;
  }
  if (!padding_ok) return DataLoss("aescbc: bad padding (wrong key?)");
  plain.resize(plain.size() - pad);
  return plain;
}

Result<std::string> AesGcmDecrypt(const std::string& key, std::string_view payload,
                                  std::string_view aad) {
  if (payload.size() < 12 + 16) return DataLoss("aesgcm payload too short");
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter> ctx(EVP_CIPHER_CTX_new());
  const auto* nonce = reinterpret_cast<const unsigned char*>(payload.data());
  std::string_view ciphertext = payload.substr(12, payload.size() - 12 - 16);
  std::string tag(payload.substr(payload.size() - 16));
  std::string plain(ciphertext.size(), '\0');
  int written = 0, final_written = 0;
  if (EVP_DecryptInit_ex(ctx.get(), AesCipher(key.size(), true), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &written,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &written,
                        reinterpret_cast<const unsigned char*>(ciphertext.data()),
                        static_cast<int>(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + written,
                          &final_written) != 1) {
    return DataLoss("aesgcm: authentication failed (wrong key, or not stored under this etcd key)");
  }
  plain.resize(static_cast<size_t>(written + final_written));
  return plain;
}

Result<std::string> SecretboxDecrypt(const std::string& key, std::string_view payload) {
  if (payload.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return DataLoss("secretbox payload too short");
  }
  std::string_view boxed = payload.substr(crypto_secretbox_NONCEBYTES);
  std::string plain(boxed.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 reinterpret_cast<const unsigned char*>(boxed.data()), boxed.size(),
                                 reinterpret_cast<const unsigned char*>(payload.data()),
                                 reinterpret_cast<const unsigned char*>(key.data())) != 0) {
    return DataLoss("secretbox: authentication failed (wrong key?)");
  }
  return plain;
}

}  // namespace

Result<std::string> DecryptIfNeeded(const EncryptionConfig* config, std::string_view value,
                                    std::string_view etcd_key) {
  if (value.substr(0, kPrefix.size()) != kPrefix) return std::string(value);
  if (config == nullptr) {
    return Failed("value is encrypted (" + DescribeEncryption(value) +
                  "); pass --encryption-config with the API server's EncryptionConfiguration");
  }
  return config->Decrypt(value, etcd_key);
}

std::string DescribeEncryption(std::string_view value) {
  ParsedPrefix prefix;
  if (!ParsePrefix(value, &prefix)) return "not encrypted";
  if (prefix.provider == "kms") return "kms " + prefix.version + " provider " + prefix.name;
  return prefix.provider + " key " + prefix.name;
}

Result<EncryptionConfig> EncryptionConfig::Load(const std::string& path) {
  EncryptionConfig config;
  config.origin_ = path;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  if (!root["resources"] || !root["resources"].IsSequence()) {
    return InvalidArgument(path + ": not an EncryptionConfiguration (no resources list)");
  }
  // Keys are checked as the API server's strict decoding does: a misspelt
  // one would otherwise leave a key unread.
  try {
    KETCD_RETURN_IF_ERROR(CheckKnownKeys(root, {"apiVersion", "kind", "resources"}, path));
    for (const auto& rule : root["resources"]) {
      KETCD_RETURN_IF_ERROR(CheckKnownKeys(rule, {"resources", "providers"}, path + ": resources"));
      for (const auto& provider : rule["providers"]) {
        for (const auto& entry : provider) {
          const std::string type = entry.first.as<std::string>();
          if (type == "identity" || type == "kms") continue;
          if (type != "aescbc" && type != "aesgcm" && type != "secretbox") {
            return InvalidArgument(path + ": unknown provider " + type);
          }
          KETCD_RETURN_IF_ERROR(CheckKnownKeys(entry.second, {"keys"}, path + ": " + type));
          for (const auto& key : entry.second["keys"]) {
            KETCD_RETURN_IF_ERROR(CheckKnownKeys(key, {"name", "secret"}, path + ": " + type + " key"));
            Key parsed{type, key["name"].as<std::string>(), ""};
            if (!Base64Decode(key["secret"].as<std::string>(), &parsed.secret)) {
              return InvalidArgument(path + ": " + type + " key " + parsed.name +
                                     ": secret is not base64");
            }
            const size_t size = parsed.secret.size();
            const bool valid =
                type == "secretbox" ? size == 32 : (size == 16 || size == 24 || size == 32);
            if (!valid) {
              return InvalidArgument(path + ": " + type + " key " + parsed.name + " has " +
                                     std::to_string(size) + " bytes");
            }
            config.keys_.push_back(std::move(parsed));
          }
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  return config;
}

Result<std::string> EncryptionConfig::Decrypt(std::string_view value,
                                              std::string_view etcd_key) const {
  if (sodium_init() < 0) return Internal("libsodium cannot initialise");
  ParsedPrefix prefix;
  if (!ParsePrefix(value, &prefix)) {
    if (value.substr(0, kPrefix.size()) == kPrefix) return DataLoss("malformed k8s:enc: prefix");
    return std::string(value);  // identity
  }
  if (prefix.provider == "kms") {
    return Failed("encrypted by KMS " + prefix.version + " provider \"" + prefix.name +
                  "\": only its KMS plugin can decrypt it");
  }
  for (const Key& key : keys_) {
    if (key.provider != prefix.provider || key.name != prefix.name) continue;
    Result<std::string> plain =
        prefix.provider == "aescbc"   ? AesCbcDecrypt(key.secret, prefix.payload)
        : prefix.provider == "aesgcm" ? AesGcmDecrypt(key.secret, prefix.payload, etcd_key)
                                      : SecretboxDecrypt(key.secret, prefix.payload);
    if (!plain.ok()) return plain.status().WithContext(origin_ + ": key " + key.name);
    return plain;
  }
  return NotFound(origin_ + " has no " + prefix.provider + " key named \"" + prefix.name + "\"");
}

}  // namespace ketcd::k8s
