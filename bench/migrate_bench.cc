// Benchmark: a CIDR migration of SERVICES Services (default 10000) and
// NODES Nodes (default 1000) on a real etcd, in the same run:
//   ketcd   migrate service-cidr --apply, then migrate pod-cidr --apply
//           (each a full plan + apply: read, rewrite, journal, guarded
//           transactions; the pre-apply backup is skipped, as the baseline
//           takes none)
//   baseline the seed tool's approach: for every Service and Node, one
//           `etcdctl get` and one `etcdctl put` (values written back
//           unchanged, so the cost is the same and the data stays valid)
// Prints both times and the ratio (target: ketcd at least 10x faster).
//
// Usage: migrate_bench [SERVICES] [NODES]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bench_support.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

using namespace ketcd;
using namespace ketcd::bench;
using namespace ketcd::testing;

namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int services = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int nodes = argc > 2 ? std::atoi(argv[2]) : 1000;
  auto cluster = EtcdCluster::Start({});
  if (!cluster.ok()) {
    std::fprintf(stderr, "cannot start etcd: %s\n", cluster.status().message().c_str());
    return 1;
  }
  const std::vector<std::string> flags = {"--endpoints", (*cluster)->ClientUrl(0)};
  const std::string dir = (*cluster)->dir();
  Measure(Args({KETCD_BINARY}, Args(flags, {"generate", "cluster", "--service-cidr", "192.168.0.0/16", "--pod-cidr",
                                            "10.244.0.0/16", "--node-mask", "26", "--services", std::to_string(services),
                                            "--nodes", std::to_string(nodes)})));

  // Baseline first, so both runs see the same (unmigrated) data.
  auto keys = RunCommand(Args({"etcdctl"}, Args(flags, {"get", "--prefix", "--keys-only", "/registry/"})));
  std::vector<std::string> objects;
  for (size_t start = 0; start < keys.out.size();) {
    const size_t end = keys.out.find('\n', start);
    const std::string key = keys.out.substr(start, end - start);
    start = end == std::string::npos ? keys.out.size() : end + 1;
    if (key.starts_with("/registry/services/specs/") || key.starts_with("/registry/minions/")) objects.push_back(key);
  }
  const auto baseline_start = std::chrono::steady_clock::now();
  for (const std::string& key : objects) {
    auto value = RunCommand(Args({"etcdctl"}, Args(flags, {"get", key, "--print-value-only"})));
    if (value.exit_code != 0 || value.out.empty()) {
      std::fprintf(stderr, "etcdctl get %s failed\n", key.c_str());
      return 1;
    }
    value.out.pop_back();  // etcdctl's newline
    auto put = RunCommand(Args({"etcdctl"}, Args(flags, {"put", key})), {.stdin_data = value.out});
    if (put.exit_code != 0) {
      std::fprintf(stderr, "etcdctl put %s failed: %s\n", key.c_str(), put.err.c_str());
      return 1;
    }
  }
  const double baseline = Seconds(baseline_start);

  const Sample service = Measure(Args({KETCD_BINARY}, Args(flags, {"migrate", "service-cidr", "--from", "192.168.0.0/16",
      "--to", "172.24.0.0/16", "--apply", "--no-backup", "--journal", dir + "/svc.journal"})));
  const Sample pod = Measure(Args({KETCD_BINARY}, Args(flags, {"migrate", "pod-cidr", "--from", "10.244.0.0/16",
      "--to", "10.55.0.0/16", "--apply", "--no-backup", "--journal", dir + "/pod.journal"})));
  const double ours = service.seconds + pod.seconds;
  std::printf("CIDR migration of %d Services (+ IPAddress objects) and %d Nodes\n", services, nodes);
  std::printf("  ketcd migrate service-cidr --apply   %8.2f s  %9ld KB peak RSS\n", service.seconds, service.rss_kb);
  std::printf("  ketcd migrate pod-cidr --apply       %8.2f s  %9ld KB peak RSS\n", pod.seconds, pod.rss_kb);
  std::printf("  etcdctl get + put per object (%zu)  %8.2f s\n", objects.size(), baseline);
  std::printf("  speed-up etcdctl/ketcd %.1fx (target >= 10)\n", baseline / ours);
  return 0;
}
