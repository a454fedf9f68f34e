#include "bench_support.h"

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "k8s/object_encoder.h"
#include "support/cli_runner.h"

namespace ketcd::bench {
namespace {

Result<std::string> StoredConfigMap(const k8s::Schema& schema, int index) {
  k8s::Json object = {
      {"kind", "ConfigMap"},
      {"apiVersion", "v1"},
      {"metadata",
       {{"name", "config-" + std::to_string(index)},
        {"namespace", "ns-" + std::to_string(index % 200)},
        {"uid", "8a2f6c1e-0000-4000-8000-" + std::to_string(100000000000LL + index)},
        {"creationTimestamp", "2026-01-02T03:04:05Z"},
        {"labels", {{"app", "bench"}, {"tier", "backend"}}}}},
      {"data", {{"config.yaml", std::string(2200, 'c')}, {"index", std::to_string(index)}}}};
  return k8s::EncodeStoredObject(schema, object);
}

struct StoredFixture {
  std::string type;    // "apps.v1.Deployment"
  std::string prefix;  // "/registry/deployments/"
  std::string value;
};

// "Deployment" -> "deployments", "Ingress" -> "ingresses", "NetworkPolicy"
// -> "networkpolicies": where the API server keeps most built-in kinds.
std::string PluralOf(std::string kind) {
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (kind.back() == 's') return kind + "es";
  if (kind.back() == 'y') return kind.substr(0, kind.size() - 1) + "ies";
  return kind + "s";
}

std::vector<StoredFixture> LoadFixtures() {
  const std::filesystem::path dir = std::filesystem::path(KETCD_SHARED_DIR) / "fixtures/k8s-api-v1.32";
  std::vector<StoredFixture> fixtures;
  if (std::filesystem::is_directory(dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".pb") continue;
      const std::string type = entry.path().stem().string();
      if (type == "core.v1.WatchEvent") continue;  // names no stored kind
      std::ifstream in(entry.path(), std::ios::binary);
      std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      fixtures.push_back({type, "/registry/" + PluralOf(type.substr(type.rfind('.') + 1)) + "/", value});
    }
  }
  if (fixtures.empty()) {
    std::fprintf(stderr, "%s has no fixtures (../shared is absent)\n", dir.c_str());
    std::exit(1);
  }
  std::sort(fixtures.begin(), fixtures.end(),
            [](const auto& a, const auto& b) { return a.type < b.type; });
  return fixtures;
}

std::unique_ptr<testing::EtcdCluster> StartBenchCluster() {
  auto cluster = testing::EtcdCluster::Start(
      {.members = 1,
       .extra_args = {"--quota-backend-bytes=8589934592", "--snapshot-count=1000000"}});
  if (!cluster.ok()) {
    std::fprintf(stderr, "cannot start etcd: %s\n", cluster.status().message().c_str());
    std::exit(1);
  }
  return std::move(*cluster);
}

}  // namespace

Status FillFixtureObjects(etcd::EtcdClient& client, int count) {
  const std::vector<StoredFixture> fixtures = LoadFixtures();
  etcd::pb::TxnRequest txn;
  size_t txn_bytes = 0;
  for (int i = 0; i < count; ++i) {
    const StoredFixture& fixture = fixtures[static_cast<size_t>(i) % fixtures.size()];
    auto* put = txn.add_success()->mutable_request_put();
    put->set_key(fixture.prefix + "ns-" + std::to_string(i % 200) + "/" + fixture.type + "-" +
                 std::to_string(i));
    put->set_value(fixture.value);
    txn_bytes += fixture.value.size();
    // etcd refuses requests above 1.5 MiB and transactions above 128 operations.
    if (txn_bytes > 1000000 || txn.success_size() == 128 || i + 1 == count) {
      auto response = client.Txn(txn);
      if (!response.ok()) return response.status();
      txn.Clear();
      txn_bytes = 0;
    }
  }
  return Status::Ok();
}

std::unique_ptr<testing::EtcdCluster> StartFixtureCluster(int count) {
  auto cluster = StartBenchCluster();
  auto client = etcd::EtcdClient::Create(cluster->ClientConfig());
  if (!client.ok()) {
    std::fprintf(stderr, "cannot connect to etcd\n");
    std::exit(1);
  }
  if (Status filled = FillFixtureObjects(**client, count); !filled.ok()) {
    std::fprintf(stderr, "cannot fill etcd: %s\n", filled.message().c_str());
    std::exit(1);
  }
  return cluster;
}

Status FillConfigMaps(etcd::EtcdClient& client, const k8s::Schema& schema, int count) {
  for (int start = 0; start < count; start += 128) {
    etcd::pb::TxnRequest txn;
    for (int i = start; i < std::min(count, start + 128); ++i) {
      auto value = StoredConfigMap(schema, i);
      if (!value.ok()) return value.status();
      char key[96];
      std::snprintf(key, sizeof key, "/registry/configmaps/ns-%d/config-%d", i % 200, i);
      auto* put = txn.add_success()->mutable_request_put();
      put->set_key(key);
      put->set_value(*value);
    }
    auto response = client.Txn(txn);
    if (!response.ok()) return response.status();
  }
  return Status::Ok();
}

std::unique_ptr<testing::EtcdCluster> StartFilledCluster(int count) {
  auto schema = k8s::Schema::BuiltIn();
  if (!schema.ok()) {
    std::fprintf(stderr, "%s\n", schema.status().message().c_str());
    std::exit(1);
  }
  auto cluster = StartBenchCluster();
  auto client = etcd::EtcdClient::Create(cluster->ClientConfig());
  if (!client.ok() || !FillConfigMaps(**client, **schema, count).ok()) {
    std::fprintf(stderr, "cannot fill etcd\n");
    std::exit(1);
  }
  return cluster;
}

Sample Measure(const std::vector<std::string>& argv, bool keep_stdout) {
  testing::CommandOptions options;
  options.discard_stdout = !keep_stdout;
  options.measure_rss = true;
  options.timeout = std::chrono::minutes(30);
  testing::CommandResult result = testing::RunCommand(argv, options);
  if (result.exit_code != 0) {
    std::fprintf(stderr, "%s failed: %s\n", argv[0].c_str(), testing::Describe(result).c_str());
    std::exit(1);
  }
  return {result.elapsed.count() / 1000.0, result.max_rss_kb, result.out};
}

void PrintRow(const char* what, const Sample& sample) {
  std::printf("  %-44s %8.2f s  %9ld KB peak RSS\n", what, sample.seconds, sample.rss_kb);
}

}  // namespace ketcd::bench
