// Encryption at rest as a real API server does it: Secrets written while the
// API server rotated through aescbc, aesgcm and secretbox as its write
// provider; ketcd, given the same EncryptionConfiguration, decrypts every
// one to what the API returns, online and from a snapshot.
#include <gtest/gtest.h>

#include "support/api_server_fixture.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

using nlohmann::json;

struct Provider {
  const char* name;     // the EncryptionConfiguration provider
  const char* secret;   // base64 key: 32 bytes
};
constexpr Provider kProviders[] = {
    {"aescbc", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
    {"aesgcm", "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="},
    {"secretbox", "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="},
};

// An EncryptionConfiguration whose write provider is kProviders[first],
// with the others (and identity) after it for reading.
std::string EncryptionConfiguration(size_t first) {
  std::string providers;
  for (size_t i = 0; i < std::size(kProviders); ++i) {
    const Provider& provider = kProviders[(first + i) % std::size(kProviders)];
    providers += std::string("      - ") + provider.name + ":\n          keys:\n            - name: " +
                 provider.name + "-key\n              secret: " + provider.secret + "\n";
  }
  return "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
         "  - resources: [secrets]\n    providers:\n" +
         providers + "      - identity: {}\n";
}

class ApiServerEncryptionTest : public ApiServerFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartEtcd());
    if (!etcd_) return;  // skipped
    config_ = etcd_->dir() + "/encryption.yaml";
    ASSERT_TRUE(WriteFileBytes(config_, EncryptionConfiguration(0)));
    StartApiServer({.extra_args = {"--encryption-provider-config=" + config_}});
  }

  std::string config_;
};

TEST_F(ApiServerEncryptionTest, EverySecretDecryptsToWhatTheApiReturnsAfterKeyRotation) {
  ASSERT_TRUE(server_->Create("/api/v1/namespaces", {{"metadata", {{"name", "vault"}}}}).ok());
  for (size_t i = 0; i < std::size(kProviders); ++i) {
    if (i > 0) {  // the next provider writes from now on
      ASSERT_TRUE(WriteFileBytes(config_, EncryptionConfiguration(i)));
      server_->Stop();
      ASSERT_TRUE(server_->Restart().ok());
    }
    json secret = {{"metadata", {{"name", std::string("under-") + kProviders[i].name}}},
                   {"stringData", {{"password", std::string("s3cret-") + kProviders[i].name}}}};
    auto created = server_->Create("/api/v1/namespaces/vault/secrets", secret);
    ASSERT_TRUE(created.ok()) << created.status().message();
  }

  // Stored encrypted, each under its provider's prefix.
  for (const Provider& provider : kProviders) {
    auto raw = RunKetcd(Args(etcd_->ConnectionFlags(),
                             {"get", std::string("/registry/secrets/vault/under-") + provider.name,
                              "--print-value-only"}));
    ASSERT_EQ(raw.exit_code, 0) << Describe(raw);
    EXPECT_EQ(raw.out.rfind(std::string("k8s:enc:") + provider.name + ":v1:" + provider.name + "-key:", 0), 0u)
        << provider.name;
  }
  // Without the configuration: a clear error naming the provider, no crash.
  auto locked = RunKetcd(Args(etcd_->ConnectionFlags(), {"get", "secret", "under-aesgcm", "-n", "vault"}));
  EXPECT_TRUE(Contains(locked.err, "aesgcm key aesgcm-key")) << Describe(locked);
  EXPECT_TRUE(Contains(locked.err, "--encryption-config")) << Describe(locked);

  const std::string snapshot = etcd_->dir() + "/encrypted.db";
  auto saved = RunKetcd(Args(etcd_->ConnectionFlags(), {"snapshot", "save", snapshot}));
  ASSERT_EQ(saved.exit_code, 0) << Describe(saved);
  for (const Provider& provider : kProviders) {
    const std::string name = std::string("under-") + provider.name;
    auto theirs = server_->Get("/api/v1/namespaces/vault/secrets/" + name);
    ASSERT_TRUE(theirs.ok()) << theirs.status().message();
    (*theirs)["metadata"].erase("managedFields");
    const std::vector<std::string> get = {"get", "secret", name, "-n", "vault", "-o", "json",
                                          "--encryption-config", config_};
    auto online = RunKetcd(Args(etcd_->ConnectionFlags(), get));
    auto offline = RunKetcd(Args(get, {"--snapshot", snapshot}));
    for (const auto* ours : {&online, &offline}) {
      ASSERT_EQ(ours->exit_code, 0) << Describe(*ours);
      EXPECT_EQ(json::parse(ours->out), *theirs) << provider.name << (ours == &online ? " online" : " offline");
    }
  }
}

}  // namespace
}  // namespace ketcd::testing
