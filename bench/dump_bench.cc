// Benchmark: `ketcd dump /registry/ -o jsonl` (decoding every object) vs
// `etcdctl get /registry/ --prefix -w json` (no decoding at all) over the
// same keyspace of Kubernetes-shaped protobuf objects in a real etcd, in the
// same run. Prints wall time and peak RSS of each and the ratios.
//
// Usage: dump_bench [OBJECTS] [RUNS]   (defaults: 400000 objects of ~2.5 KB,
// about 1 GB, 1 run)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_support.h"
#include "support/cli_runner.h"
#include "support/etcd_cluster.h"

using namespace ketcd;
using namespace ketcd::bench;
using namespace ketcd::testing;

int main(int argc, char** argv) {
  const int objects = argc > 1 ? std::atoi(argv[1]) : 400000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 1;
  auto cluster = StartFilledCluster(objects);
  std::vector<std::string> flags = cluster->ConnectionFlags();
  flags.push_back("--command-timeout=600s");
  for (int run = 0; run < runs; ++run) {
    Sample ours = Measure(Args({KETCD_BINARY, "dump", "/registry/", "-o", "jsonl"}, flags));
    Sample theirs =
        Measure(Args({"etcdctl", "get", "/registry/", "--prefix", "-w", "json"}, flags));
    std::printf("dump of %d objects (~%.1f GB stored), run %d\n", objects, objects * 2.5e3 / 1e9,
                run + 1);
    std::printf("  %-34s %8.1f s  %9ld KB peak RSS\n", "ketcd dump -o jsonl (decoded)",
                ours.seconds, ours.rss_kb);
    std::printf("  %-34s %8.1f s  %9ld KB peak RSS\n", "etcdctl get --prefix -w json",
                theirs.seconds, theirs.rss_kb);
    std::printf(
        "  wall-time ratio ketcd/etcdctl %.2f (target <= 1.0), ketcd peak RSS %.0f MiB "
        "(target <= 256)\n",
        ours.seconds / std::max(0.001, theirs.seconds), ours.rss_kb / 1024.0);
  }
  return 0;
}
