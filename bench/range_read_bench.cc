// Benchmark: reading a large prefix with `ketcd get` vs `etcdctl get`, on
// the same real etcd, in the same run. Prints wall time and peak RSS of
// each tool and the ratios (etcdctl / ketcd: above 1 means ketcd is better).
//
// Usage: range_read_bench [KEYS] [RUNS]   (defaults: 100000 keys, 5 runs)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "etcd/client.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

namespace {

using namespace ketcd;
using namespace ketcd::testing;

Status Fill(etcd::EtcdClient& client, int count) {
  const std::string value(200, 'v');
  for (int start = 0; start < count; start += 128) {
    etcd::pb::TxnRequest txn;
    for (int i = start; i < std::min(count, start + 128); ++i) {
      char key[40];
      std::snprintf(key, sizeof key, "/registry/bench/%08d", i);
      auto* put = txn.add_success()->mutable_request_put();
      put->set_key(key);
      put->set_value(value);
    }
    auto response = client.Txn(txn);
    if (!response.ok()) return response.status();
  }
  return Status::Ok();
}

struct Sample {
  double median_ms;
  long median_rss_kb;
};

Sample Measure(const std::vector<std::string>& argv, int runs) {
  std::vector<double> times;
  std::vector<long> rss;
  CommandOptions options;
  options.discard_stdout = true;
  options.measure_rss = true;
  options.timeout = std::chrono::minutes(5);
  for (int i = 0; i < runs; ++i) {
    CommandResult result = RunCommand(argv, options);
    if (result.exit_code != 0) {
      std::fprintf(stderr, "%s failed: %s\n", argv[0].c_str(), Describe(result).c_str());
      std::exit(1);
    }
    times.push_back(static_cast<double>(result.elapsed.count()));
    rss.push_back(result.max_rss_kb);
  }
  std::sort(times.begin(), times.end());
  std::sort(rss.begin(), rss.end());
  return {times[times.size() / 2], rss[rss.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  const int keys = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  auto cluster =
      EtcdCluster::Start({.members = 1, .extra_args = {"--quota-backend-bytes=4294967296"}});
  if (!cluster.ok()) {
    std::fprintf(stderr, "cannot start etcd: %s\n", cluster.status().message().c_str());
    return 1;
  }
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  if (!client.ok() || !Fill(**client, keys).ok()) {
    std::fprintf(stderr, "cannot fill etcd\n");
    return 1;
  }
  std::vector<std::string> read = {"get", "/registry/bench/", "--prefix"};
  std::vector<std::string> flags = (*cluster)->ConnectionFlags();
  Sample ours = Measure(Args(Args({KETCD_BINARY}, read), flags), runs);
  Sample theirs = Measure(Args(Args({"etcdctl"}, read), flags), runs);
  std::printf("range read of %d keys x 200 B, median of %d runs\n", keys, runs);
  std::printf("  %-8s %9.0f ms  %8ld KB peak RSS\n", "ketcd", ours.median_ms, ours.median_rss_kb);
  std::printf("  %-8s %9.0f ms  %8ld KB peak RSS\n", "etcdctl", theirs.median_ms,
              theirs.median_rss_kb);
  std::printf("  ratio etcdctl/ketcd: time %.2fx, memory %.2fx\n",
              theirs.median_ms / std::max(1.0, ours.median_ms),
              static_cast<double>(theirs.median_rss_kb) / std::max(1L, ours.median_rss_kb));
  return 0;
}
