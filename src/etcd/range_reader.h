// RangeReader: what read-only keyspace commands need, served either by a
// live cluster (EtcdClient) or by a snapshot or data dir read offline
// (snapshot::OfflineKeyspace), with etcd's Range semantics in both cases.
#pragma once

#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"
#include "util/status.h"

namespace ketcd::etcd {

namespace pb = ::etcdserverpb;

class RangeReader {
 public:
  virtual ~RangeReader() = default;
  virtual Result<pb::RangeResponse> Range(const pb::RangeRequest& request) = 0;
};

}  // namespace ketcd::etcd
