// `endpoint health` and `endpoint status`: each endpoint checked on its own
// client, all at once, so that one dead member costs one dial timeout, not N.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "etcd/client.h"

namespace ketcd::etcd {

struct EndpointReport {
  std::string endpoint;
  Status error;  // ok when the endpoint answered and passed the check
  bool reachable = false;
  std::chrono::microseconds took{0};
  pb::StatusResponse status;  // set by CheckEndpointStatus
};

using EndpointCheck = std::function<void(EtcdClient&, EndpointReport&)>;

// Connects each client and runs `check` on it, concurrently; the reports
// keep the clients' order.
std::vector<EndpointReport> CheckEndpoints(std::vector<std::unique_ptr<EtcdClient>>& clients,
                                           const EndpointCheck& check);

// As etcdctl's health check: a linearizable read commits through raft
// ("permission denied" still proves the member serves), and no alarm is
// active.
void CheckEndpointHealth(EtcdClient& client, EndpointReport& report);
// The member's status response.
void CheckEndpointStatus(EtcdClient& client, EndpointReport& report);

// The verdict over all: ok, kUnavailable when none was reachable, else
// kFailed ("2 of 3 endpoints <what>").
Status EndpointsVerdict(const std::vector<EndpointReport>& reports, const std::string& what);

}  // namespace ketcd::etcd
