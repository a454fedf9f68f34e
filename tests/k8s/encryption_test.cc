// Encryption at rest, against values encrypted by an independent
// implementation: Debian's python3-cryptography (AES-CBC, AES-GCM) and
// python3-nacl (secretbox), run at test time with the layouts Kubernetes uses.
#include "k8s/encryption.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/process.h"
#include "support/test_files.h"

namespace ketcd::k8s {
namespace {

namespace fs = std::filesystem;

// Writes <dir>/plain, <dir>/<provider>.enc for each provider and
// <dir>/config.yaml (keys named key1; a second, wrong config in wrong.yaml).
constexpr const char* kEncryptScript = R"PY(
import base64, os, sys
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
import nacl.secret

out = sys.argv[1]
etcd_key = b"/registry/secrets/default/db"
plain = b"k8s\x00\x0a\x0c\x0a\x02v1\x12\x06Secret\x12\x04\x0a\x02\x0a\x00\x1a\x00\x22\x00"
cbc_key, gcm_key, box_key = os.urandom(32), os.urandom(16), os.urandom(32)

padder = padding.PKCS7(128).padder()
iv = os.urandom(16)
encryptor = Cipher(algorithms.AES(cbc_key), modes.CBC(iv)).encryptor()
cbc = iv + encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
nonce = os.urandom(12)
gcm = nonce + AESGCM(gcm_key).encrypt(nonce, plain, etcd_key)
box = bytes(nacl.secret.SecretBox(box_key).encrypt(plain))  # nonce + tag + ciphertext

for name, payload in (("aescbc", cbc), ("aesgcm", gcm), ("secretbox", box)):
    with open(os.path.join(out, name + ".enc"), "wb") as f:
        f.write(b"k8s:enc:" + name.encode() + b":v1:key1:" + payload)
with open(os.path.join(out, "plain"), "wb") as f:
    f.write(plain)

def config(cbc, gcm, box):
    b64 = lambda k: base64.b64encode(k).decode()
    return f"""apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc: {{keys: [{{name: key1, secret: {b64(cbc)}}}]}}
  - aesgcm: {{keys: [{{name: key1, secret: {b64(gcm)}}}]}}
  - secretbox: {{keys: [{{name: key1, secret: {b64(box)}}}]}}
  - identity: {{}}
"""
with open(os.path.join(out, "config.yaml"), "w") as f:
    f.write(config(cbc_key, gcm_key, box_key))
with open(os.path.join(out, "wrong.yaml"), "w") as f:
    f.write(config(os.urandom(32), os.urandom(16), os.urandom(32)))
)PY";

constexpr const char* kEtcdKey = "/registry/secrets/default/db";

class EncryptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ketcd-enc-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    auto result = testing::RunCommand({"/usr/bin/python3", "-c", kEncryptScript, dir_.string()});
    if (result.exit_code != 0) {
      GTEST_SKIP() << "python3-cryptography / python3-nacl not usable: " << result.err;
    }
    auto config = EncryptionConfig::Load((dir_ / "config.yaml").string());
    ASSERT_TRUE(config.ok()) << config.status().message();
    config_ = std::move(*config);
    plain_ = testing::ReadFileBytes(dir_ / "plain");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Encrypted(const char* provider) {
    return testing::ReadFileBytes(dir_ / (std::string(provider) + ".enc"));
  }

  fs::path dir_;
  std::optional<EncryptionConfig> config_;
  std::string plain_;
};

TEST_F(EncryptionTest, AllThreeProvidersDecrypt) {
  for (const char* provider : {"aescbc", "aesgcm", "secretbox"}) {
    auto plain = config_->Decrypt(Encrypted(provider), kEtcdKey);
    ASSERT_TRUE(plain.ok()) << provider << ": " << plain.status().message();
    EXPECT_EQ(*plain, plain_) << provider;
  }
}

TEST_F(EncryptionTest, WrongKeysGiveClearErrors) {
  auto wrong = EncryptionConfig::Load((dir_ / "wrong.yaml").string());
  ASSERT_TRUE(wrong.ok());
  for (const char* provider : {"aescbc", "aesgcm", "secretbox"}) {
    auto plain = wrong->Decrypt(Encrypted(provider), kEtcdKey);
    // AES-CBC has no MAC: a wrong key shows as bad padding (or, rarely,
    // as garbage, which the decoder then rejects).
    if (plain.ok()) {
      EXPECT_STREQ(provider, "aescbc");
      EXPECT_NE(*plain, plain_);
      continue;
    }
    EXPECT_EQ(plain.status().code(), ErrorCode::kDataLoss) << provider;
    EXPECT_NE(plain.status().message().find("key key1"), std::string::npos)
        << plain.status().message();
  }
}

TEST_F(EncryptionTest, GcmIsBoundToTheEtcdKey) {
  auto moved = config_->Decrypt(Encrypted("aesgcm"), "/registry/secrets/default/other");
  ASSERT_FALSE(moved.ok());
  EXPECT_NE(moved.status().message().find("authentication failed"), std::string::npos);
}

TEST_F(EncryptionTest, KmsAndMissingKeysAreReported) {
  auto kms = config_->Decrypt("k8s:enc:kms:v2:my-kms:\x0a\x01x", kEtcdKey);
  ASSERT_FALSE(kms.ok());
  EXPECT_NE(kms.status().message().find("KMS v2 provider \"my-kms\""), std::string::npos)
      << kms.status().message();
  auto missing = config_->Decrypt("k8s:enc:aescbc:v1:key9:xxxx", kEtcdKey);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  auto no_config = DecryptIfNeeded(nullptr, Encrypted("secretbox"), kEtcdKey);
  ASSERT_FALSE(no_config.ok());
  EXPECT_NE(no_config.status().message().find("secretbox key key1"), std::string::npos);
  EXPECT_EQ(*DecryptIfNeeded(nullptr, plain_, kEtcdKey), plain_);  // identity
}

// Loads `yaml` as an EncryptionConfiguration file.
Result<EncryptionConfig> LoadText(const std::string& yaml) {
  fs::path path = fs::temp_directory_path() / ("ketcd-enc-" + std::to_string(::getpid()));
  std::ofstream(path) << yaml;
  auto config = EncryptionConfig::Load(path.string());
  fs::remove(path);
  return config;
}

TEST(EncryptionConfigTest, RejectsBadKeys) {
  auto config = LoadText("resources:\n- providers:\n  - secretbox: {keys: [{name: k, secret: c2hvcnQ=}]}\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("secretbox key k has 5 bytes"), std::string::npos)
      << config.status().message();
  EXPECT_EQ(EncryptionConfig::Load("/nonexistent.yaml").status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(EncryptionConfigTest, MisspeltKeysAreErrors) {
  auto config = LoadText("kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n"
                         "  - aesgcm: {keys: [{name: k, secert: c2hvcnQ=}]}\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("unknown key \"secert\" (did you mean \"secret\"?)"), std::string::npos)
      << config.status().message();
}

}  // namespace
}  // namespace ketcd::k8s
