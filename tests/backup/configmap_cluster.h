// The keyspace the backup tests back up: a one-member etcd holding `count`
// ConfigMap-shaped keys, /registry/configmaps/default/cm-N, 500 bytes each.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/etcd_cluster.h"

namespace ketcd::testing {

inline Result<std::unique_ptr<EtcdCluster>> StartClusterWithConfigMaps(int count) {
  auto cluster = EtcdCluster::Start({});
  if (!cluster.ok()) return cluster.status();
  std::vector<std::pair<std::string, std::string>> keys;
  for (int i = 0; i < count; ++i) {
    keys.emplace_back("/registry/configmaps/default/cm-" + std::to_string(i),
                      std::string(500, static_cast<char>('a' + i % 26)));
  }
  KETCD_RETURN_IF_ERROR((*cluster)->Put(keys));
  return cluster;
}

}  // namespace ketcd::testing
