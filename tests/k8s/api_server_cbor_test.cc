// Custom resources a real API server (1.37, CBORServingAndStorage on) stores
// as CBOR: ketcd prints them as the API returns them, `encode --cbor` gives
// back the stored bytes, and a Pod CIDR migration rewrites a Calico IPPool
// stored that way as CBOR, which the API server reads and undo restores.
#include <gtest/gtest.h>

#include "support/api_server_fixture.h"
#include "support/api_server_objects.h"
#include "support/test_files.h"

namespace ketcd::testing {
namespace {

using nlohmann::json;

constexpr char kCborTag[] = "\xd9\xd9\xf7";

class ApiServerCborTest : public ApiServerFixture {
 protected:
  void SetUp() override {
    StartEtcdAndApiServer({.extra_args = {"--feature-gates=CBORServingAndStorage=true"}});
  }

  std::string Stored(const std::string& key) {
    auto raw = Ketcd({"get", key, "--print-value-only"});
    EXPECT_EQ(raw.exit_code, 0) << Describe(raw);
    // --print-value-only ends the value with a newline.
    return raw.out.empty() ? raw.out : raw.out.substr(0, raw.out.size() - 1);
  }
};

TEST_F(ApiServerCborTest, CborCustomResourcesDecodeReencodeAndMigrate) {
  ASSERT_TRUE(server_->Create("/api/v1/namespaces", {{"metadata", {{"name", "cbor"}}}}).ok());
  Status crd = CreateCustomResourceDefinition(*server_, "example.com", "Widget", "widgets", true);
  ASSERT_TRUE(crd.ok()) << crd.message();
  json widget = {{"apiVersion", "example.com/v1"},
                 {"kind", "Widget"},
                 {"metadata", {{"name", "w"}, {"labels", {{"tier", "gold"}}}}},
                 {"spec", {{"replicas", 3}, {"ratio", 0.5}, {"big", 100000.25}, {"offset", -12},
                           {"enabled", true}, {"nothing", nullptr}, {"name", "grüße"},
                           {"ports", {80, 443}}, {"nested", {{"a", {{"b", "c"}}}}}}}};
  auto created = server_->Create("/apis/example.com/v1/namespaces/cbor/widgets", widget);
  ASSERT_TRUE(created.ok()) << created.status().message();

  const std::string key = "/registry/example.com/widgets/cbor/w";
  const std::string stored = Stored(key);
  ASSERT_EQ(stored.rfind(kCborTag, 0), 0u) << "not stored as CBOR: " << stored.substr(0, 40);

  // As the API returns it.
  auto got = Ketcd({"get", "widgets.example.com", "w", "-n", "cbor", "-o", "json"});
  ASSERT_EQ(got.exit_code, 0) << Describe(got);
  auto theirs = server_->Get("/apis/example.com/v1/namespaces/cbor/widgets/w");
  ASSERT_TRUE(theirs.ok()) << theirs.status().message();
  (*theirs)["metadata"].erase("managedFields");
  EXPECT_EQ(json::parse(got.out), *theirs);

  // decode, then encode --cbor: the stored bytes again.
  const std::string file = etcd_->dir() + "/widget.cbor";
  ASSERT_TRUE(WriteFileBytes(file, stored));
  auto decoded = RunKetcd({"decode", file, "--show-managed-fields"});
  ASSERT_EQ(decoded.exit_code, 0) << Describe(decoded);
  auto encoded = RunKetcd({"encode", "--cbor"}, {.stdin_data = decoded.out});
  ASSERT_EQ(encoded.exit_code, 0) << Describe(encoded);
  EXPECT_EQ(encoded.out, stored);

  // A Calico IPPool stored as CBOR moves with the Pod CIDR, stays CBOR.
  crd = CreateCustomResourceDefinition(*server_, "crd.projectcalico.org", "IPPool", "ippools", false);
  ASSERT_TRUE(crd.ok()) << crd.message();
  auto pool = server_->Create("/apis/crd.projectcalico.org/v1/ippools",
                              {{"apiVersion", "crd.projectcalico.org/v1"},
                               {"kind", "IPPool"},
                               {"metadata", {{"name", "default-ipv4-ippool"}}},
                               {"spec", {{"cidr", "10.244.0.0/16"}, {"blockSize", 26}, {"ipipMode", "Always"},
                                         {"natOutgoing", true}}}});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  const std::string pool_key = "/registry/crd.projectcalico.org/ippools/default-ipv4-ippool";
  const std::string pool_before = Stored(pool_key);
  ASSERT_EQ(pool_before.rfind(kCborTag, 0), 0u);

  server_->Stop();
  const std::string journal = etcd_->dir() + "/pod-cidr.journal";
  auto migrated = Ketcd({"migrate", "pod-cidr", "--from", "10.244.0.0/16", "--to", "10.55.0.0/16", "--include-cni",
                         "--apply", "--no-backup", "--journal", journal});
  ASSERT_EQ(migrated.exit_code, 0) << Describe(migrated);
  const std::string pool_after = Stored(pool_key);
  EXPECT_EQ(pool_after.rfind(kCborTag, 0), 0u);
  EXPECT_EQ(pool_after.size(), pool_before.size() - 1);  // one character shorter: "55" for "244"
  ASSERT_TRUE(server_->Restart().ok());
  auto moved = server_->Get("/apis/crd.projectcalico.org/v1/ippools/default-ipv4-ippool");
  ASSERT_TRUE(moved.ok()) << moved.status().message();
  EXPECT_EQ((*moved)["spec"]["cidr"], "10.55.0.0/16");
  EXPECT_EQ((*moved)["spec"]["blockSize"], 26);
  EXPECT_EQ((*moved)["spec"]["natOutgoing"], true);

  server_->Stop();
  auto undone = Ketcd({"migrate", "undo", journal});
  ASSERT_EQ(undone.exit_code, 0) << Describe(undone);
  EXPECT_EQ(Stored(pool_key), pool_before);
}

}  // namespace
}  // namespace ketcd::testing
