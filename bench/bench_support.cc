#include "bench_support.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

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

}  // namespace

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
  auto cluster = testing::EtcdCluster::Start(
      {.members = 1,
       .extra_args = {"--quota-backend-bytes=8589934592", "--snapshot-count=1000000"}});
  if (!cluster.ok()) {
    std::fprintf(stderr, "cannot start etcd: %s\n", cluster.status().message().c_str());
    std::exit(1);
  }
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  if (!client.ok() || !FillConfigMaps(**client, **schema, count).ok()) {
    std::fprintf(stderr, "cannot fill etcd\n");
    std::exit(1);
  }
  return std::move(*cluster);
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
