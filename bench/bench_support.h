// What the benchmarks share: a real etcd filled with Kubernetes-shaped
// objects, and timing of a command with its peak RSS.
#pragma once

#include <string>
#include <vector>

#include <memory>

#include "etcd/client.h"
#include "k8s/schema.h"
#include "support/etcd_cluster.h"

namespace ketcd::bench {

// Puts `count` ConfigMaps of about 2.5 KB each, as the API server stores
// them, under /registry/configmaps/ns-N/ (200 namespaces).
Status FillConfigMaps(etcd::EtcdClient& client, const k8s::Schema& schema, int count);

// A one-member etcd (8 GB quota) holding FillConfigMaps(count); exits the
// benchmark if it cannot be made.
std::unique_ptr<testing::EtcdCluster> StartFilledCluster(int count);

// Puts `count` objects made of every stored type of the Kubernetes 1.32
// round-trip fixtures (../shared/fixtures: Pods, Deployments, CRDs, ...;
// about 1.8 KB on average), round robin, under
// /registry/<plural of kind>/ns-N/<type>-<i>. Exits the benchmark when the
// fixtures are absent.
Status FillFixtureObjects(etcd::EtcdClient& client, int count);

// A one-member etcd (8 GB quota) holding FillFixtureObjects(count).
std::unique_ptr<testing::EtcdCluster> StartFixtureCluster(int count);

struct Sample {
  double seconds;
  long rss_kb;
  std::string out;  // kept unless discarded
};

// Runs argv to completion (exits the benchmark if it fails).
Sample Measure(const std::vector<std::string>& argv, bool keep_stdout = false);

// One result line: "  what   12.34 s   56789 KB peak RSS".
void PrintRow(const char* what, const Sample& sample);

}  // namespace ketcd::bench
