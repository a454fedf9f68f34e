#include "migrate/migrate_fixture.h"

#include "k8s/object_encoder.h"
#include "k8s/object_renderer.h"
#include "k8s/storage_envelope.h"

namespace ketcd::testing {
namespace {

std::string ReplaceAll(std::string text, const std::vector<std::pair<std::string, std::string>>& replacements) {
  for (const auto& [from, to] : replacements) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }
  return text;
}

}  // namespace

void MigrateTest::SetUp() {
  auto cluster = EtcdCluster::Start({});
  ASSERT_TRUE(cluster.ok()) << cluster.status().message();
  cluster_ = std::move(*cluster);
  auto client = etcd::EtcdClient::Create(cluster_->ClientConfig());
  ASSERT_TRUE(client.ok()) << client.status().message();
  client_ = std::move(*client);
}

CommandResult MigrateTest::Ketcd(const std::vector<std::string>& args, CommandOptions options) {
  return RunKetcd(Args(cluster_->ConnectionFlags(), args), std::move(options));
}

void MigrateTest::Generate(const std::vector<std::string>& flags) {
  auto result = Ketcd(Args({"generate", "cluster"}, flags));
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
}

KeyspaceMap MigrateTest::ReadAll() {
  etcd::pb::RangeRequest request;
  request.set_key("/");
  request.set_range_end("0");
  auto response = client_->Range(request);
  EXPECT_TRUE(response.ok()) << response.status().message();
  KeyspaceMap keyspace;
  if (response.ok()) {
    for (const auto& kv : response->kvs()) keyspace[kv.key()] = kv.value();
  }
  return keyspace;
}

void MigrateTest::Reset(const KeyspaceMap& keyspace) {
  etcd::pb::DeleteRangeRequest wipe;
  wipe.set_key("/");
  wipe.set_range_end("0");
  ASSERT_TRUE(client_->DeleteRange(wipe).ok());
  for (const auto& [key, value] : keyspace) {
    etcd::pb::PutRequest put;
    put.set_key(key);
    put.set_value(value);
    ASSERT_TRUE(client_->Put(put).ok());
  }
}

KeyspaceMap ExpectedAfter(const KeyspaceMap& keyspace,
                          const std::vector<std::pair<std::string, std::string>>& replacements) {
  static const auto schema = k8s::Schema::BuiltIn();
  EXPECT_TRUE(schema.ok());
  KeyspaceMap expected;
  for (const auto& [key, value] : keyspace) {
    std::string new_value = ReplaceAll(value, replacements);
    if (k8s::DetectStorageEncoding(value) == k8s::StorageEncoding::kProtobuf) {
      auto rendered = k8s::RenderStoredValue(**schema, value);
      EXPECT_TRUE(rendered.ok()) << key << ": " << rendered.status().message();
      if (!rendered.ok()) continue;
      auto object = k8s::Json::parse(ReplaceAll(rendered->object.dump(), replacements));
      auto encoded = k8s::EncodeStoredObject(**schema, object);
      EXPECT_TRUE(encoded.ok()) << key << ": " << encoded.status().message();
      if (encoded.ok()) new_value = *encoded;
    }
    expected[ReplaceAll(key, replacements)] = new_value;
  }
  return expected;
}

std::string DescribeDifferences(const KeyspaceMap& expected, const KeyspaceMap& actual) {
  std::string text;
  for (const auto& [key, value] : expected) {
    auto it = actual.find(key);
    if (it == actual.end()) text += "missing " + key + "\n";
    else if (it->second != value) text += "differs " + key + "\n";
  }
  for (const auto& [key, value] : actual) {
    if (!expected.contains(key)) text += "unexpected " + key + "\n";
  }
  return text;
}

}  // namespace ketcd::testing
