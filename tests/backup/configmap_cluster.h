// The keyspace the backup tests back up: a one-member etcd holding `count`
// ConfigMap-shaped keys, /registry/configmaps/default/cm-N, 500 bytes each.
#pragma once

#include <memory>
#include <string>

#include "etcd/client.h"
#include "support/etcd_cluster.h"

namespace ketcd::testing {

inline Result<std::unique_ptr<EtcdCluster>> StartClusterWithConfigMaps(int count) {
  auto cluster = EtcdCluster::Start({});
  if (!cluster.ok()) return cluster.status();
  auto client = etcd::EtcdClient::Create((*cluster)->ClientConfig());
  if (!client.ok()) return client.status();
  for (int i = 0; i < count; ++i) {
    etcd::pb::PutRequest put;
    put.set_key("/registry/configmaps/default/cm-" + std::to_string(i));
    put.set_value(std::string(500, static_cast<char>('a' + i % 26)));
    auto put_response = (*client)->Put(put);
    if (!put_response.ok()) return put_response.status();
  }
  return cluster;
}

}  // namespace ketcd::testing
