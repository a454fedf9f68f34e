// EtcdClient: a synchronous client for etcd's v3 gRPC API.
//
// One client holds the endpoint list of a ConnectionConfig. Calls that may go
// to any member use the current endpoint and fail over to the next one when
// an endpoint cannot be reached; a request that may have reached etcd is only
// retried elsewhere when repeating it is harmless (reads, member list,
// status). Maintenance calls that concern one member name it by index into
// endpoints().
//
// Every call has the config's command timeout; dialling an endpoint has its
// dial timeout. With a user set, the client authenticates per endpoint (etcd's
// simple tokens are member-local) and sends the token with each call.
//
// Not thread-safe: use one client per thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etcd/connection_config.h"
#include "etcd/endpoint.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"
#include "etcd/range_reader.h"
#include "util/status.h"

namespace ketcd::etcd {

class EtcdClient : public RangeReader {
 public:
  // Validates the config (endpoint syntax, TLS files) without dialling.
  static Result<std::unique_ptr<EtcdClient>> Create(const ConnectionConfig& config);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  const std::vector<Endpoint>& endpoints() const;

  // Dials endpoints in order until one answers; kUnavailable names each
  // endpoint's failure when none does.
  Status Connect();

  // --- KV ---
  Result<pb::RangeResponse> Range(const pb::RangeRequest& request) override;
  Result<pb::PutResponse> Put(const pb::PutRequest& request);
  Result<pb::DeleteRangeResponse> DeleteRange(const pb::DeleteRangeRequest& request);
  Result<pb::TxnResponse> Txn(const pb::TxnRequest& request);
  Result<pb::CompactionResponse> Compact(const pb::CompactionRequest& request);

  // --- Watch ---
  // Streams events of one watch until `on_response` returns false, the
  // stream ends, or `timeout` (if set) passes. The create confirmation is
  // not passed to the callback; etcd's cancelling response is (canceled(),
  // maybe compact_revision()), then Watch returns its reason as an error.
  Status Watch(const pb::WatchCreateRequest& request,
               const std::function<bool(const pb::WatchResponse&)>& on_response,
               std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // --- Lease ---
  Result<pb::LeaseGrantResponse> LeaseGrant(int64_t ttl_seconds, int64_t id = 0);
  Result<pb::LeaseRevokeResponse> LeaseRevoke(int64_t id);
  Result<pb::LeaseTimeToLiveResponse> LeaseTimeToLive(int64_t id, bool with_keys);
  Result<pb::LeaseLeasesResponse> LeaseLeases();
  // Renews a lease once; returns the new TTL.
  Result<pb::LeaseKeepAliveResponse> LeaseKeepAliveOnce(int64_t id);

  // --- Cluster ---
  Result<pb::MemberListResponse> MemberList();
  Result<pb::MemberAddResponse> MemberAdd(const std::vector<std::string>& peer_urls,
                                          bool as_learner);
  Result<pb::MemberRemoveResponse> MemberRemove(uint64_t id);
  Result<pb::MemberUpdateResponse> MemberUpdate(uint64_t id,
                                                const std::vector<std::string>& peer_urls);
  Result<pb::MemberPromoteResponse> MemberPromote(uint64_t id);

  // --- Maintenance (pinned to endpoints()[endpoint]) ---
  Result<pb::StatusResponse> EndpointStatus(size_t endpoint);
  Result<pb::DefragmentResponse> Defragment(size_t endpoint);
  Result<pb::HashKVResponse> HashKV(size_t endpoint, int64_t revision);
  Result<pb::MoveLeaderResponse> MoveLeader(size_t endpoint, uint64_t target_id);
  // Streams a snapshot of the member's backend; `sink` gets each chunk in
  // order (return a failed Status to abort) and the server's remaining_bytes.
  // No command timeout: snapshots of large databases take minutes.
  ::ketcd::Status Snapshot(
      size_t endpoint,
      const std::function<::ketcd::Status(const std::string& chunk, uint64_t remaining)>& sink);
  Result<pb::AlarmResponse> Alarm(const pb::AlarmRequest& request);

  // Index into endpoints() of the member that is the raft leader, found by
  // asking each endpoint's status.
  Result<size_t> FindLeaderEndpoint();

 private:
  struct Connection;
  enum class Retry { kNever, kOnUnavailable };
  explicit EtcdClient(ConnectionConfig config);

  ::ketcd::Status Ready(Connection& connection);
  ::ketcd::Status Authenticate(Connection& connection);
  template <typename Response, typename Call>
  Result<Response> Invoke(const char* rpc, Retry retry, std::optional<size_t> pinned, Call&& call);

  ConnectionConfig config_;
  std::vector<Endpoint> endpoints_;
  std::vector<std::unique_ptr<Connection>> connections_;
  size_t current_ = 0;
};

}  // namespace ketcd::etcd
