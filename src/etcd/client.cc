#include "etcd/client.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <chrono>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "etcd/tls_files.h"
#include "util/duration.h"
#include "util/string_building.h"

namespace ketcd::etcd {
namespace {

using Clock = std::chrono::system_clock;

std::shared_ptr<grpc::ChannelCredentials> MakeCredentials(const ConnectionConfig& config,
                                                          const TlsMaterial& tls) {
  if (!config.UsesTls()) return grpc::InsecureChannelCredentials();
  if (!config.insecure_skip_tls_verify) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = tls.ca_pem;
    options.pem_private_key = tls.key_pem;
    options.pem_cert_chain = tls.cert_pem;
    return grpc::SslCredentials(options);
  }
  // --insecure-skip-tls-verify: encrypt, present our certificate, but accept
  // any server certificate (gRPC's experimental TLS options are the only way).
  std::vector<grpc::experimental::IdentityKeyCertPair> pairs;
  if (!tls.cert_pem.empty()) pairs.push_back({tls.key_pem, tls.cert_pem});
  auto provider =
      std::make_shared<grpc::experimental::StaticDataCertificateProvider>(tls.ca_pem, pairs);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  if (!tls.ca_pem.empty()) options.watch_root_certs();
  if (!pairs.empty()) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(false);
  options.set_check_call_host(false);
  options.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  return grpc::experimental::TlsCredentials(options);
}

bool IsAuthError(const grpc::Status& status) {
  const std::string& m = status.error_message();
  return status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         status.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
         m.find("user name is empty") != std::string::npos ||
         m.find("authentication failed") != std::string::npos;
}

bool IsExpiredToken(const grpc::Status& status) {
  return status.error_message().find("invalid auth token") != std::string::npos;
}

Status FromGrpc(const Endpoint& endpoint, const grpc::Status& status,
                std::chrono::milliseconds command_timeout) {
  const std::string& message = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      // etcd answers some requests with UNAVAILABLE itself ("etcdserver:
      // unhealthy cluster", "no leader"): it was reached, the operation failed.
      if (message.rfind("etcdserver:", 0) == 0) return Failed(message);
      return Unavailable(endpoint.text + ": " + message);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Failed(endpoint.text + ": no answer within " + FormatDuration(command_timeout) +
                    " (--command-timeout)");
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Failed(endpoint.text + ": " + message + " (--max-recv-bytes)");
    default:
      if (IsAuthError(status)) return Unauthenticated(endpoint.text + ": " + message);
      return Failed(message);
  }
}

}  // namespace

struct EtcdClient::Connection {
  Endpoint endpoint;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<pb::KV::Stub> kv;
  std::unique_ptr<pb::Watch::Stub> watch;
  std::unique_ptr<pb::Lease::Stub> lease;
  std::unique_ptr<pb::Cluster::Stub> cluster;
  std::unique_ptr<pb::Maintenance::Stub> maintenance;
  std::unique_ptr<pb::Auth::Stub> auth;
  std::string token;  // empty until authenticated (or when auth is not used)
};

EtcdClient::EtcdClient(ConnectionConfig config) : config_(std::move(config)) {}
EtcdClient::~EtcdClient() = default;

const std::vector<Endpoint>& EtcdClient::endpoints() const { return endpoints_; }

Result<std::unique_ptr<EtcdClient>> EtcdClient::Create(const ConnectionConfig& config) {
  std::unique_ptr<EtcdClient> client(new EtcdClient(config));
  std::string joined;
  for (const auto& text : config.endpoints) AppendToList(joined, text);
  auto endpoints = ParseEndpointList(joined);
  if (!endpoints.ok()) return endpoints.status();
  client->endpoints_ = std::move(*endpoints);
  if (!config.password.empty() && config.user.empty()) {
    return InvalidArgument("--password needs --user");
  }
  TlsMaterial tls;
  if (config.UsesTls()) {
    auto material = LoadTlsMaterial(config);
    if (!material.ok()) return material.status();
    tls = std::move(*material);
  } else {
    for (const auto& endpoint : client->endpoints_) {
      if (endpoint.https())
        return InvalidArgument(endpoint.text + ": https with --insecure-transport");
    }
  }
  auto credentials = MakeCredentials(config, tls);
  for (const auto& endpoint : client->endpoints_) {
    grpc::ChannelArguments args;
    // Bounded: a hostile or broken endpoint must not make ketcd allocate
    // without limit. Range pages are bounded by ketcd's page size.
    args.SetMaxReceiveMessageSize(config.max_recv_bytes);
    args.SetMaxSendMessageSize(-1);
    // Each endpoint gets its own connection: failover must not silently
    // share a subchannel with another client in the same process.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    auto connection = std::make_unique<Connection>();
    connection->endpoint = endpoint;
    connection->channel = grpc::CreateCustomChannel(endpoint.DialTarget(), credentials, args);
    connection->kv = pb::KV::NewStub(connection->channel);
    connection->watch = pb::Watch::NewStub(connection->channel);
    connection->lease = pb::Lease::NewStub(connection->channel);
    connection->cluster = pb::Cluster::NewStub(connection->channel);
    connection->maintenance = pb::Maintenance::NewStub(connection->channel);
    connection->auth = pb::Auth::NewStub(connection->channel);
    client->connections_.push_back(std::move(connection));
  }
  return client;
}

// Waits until the channel is connected (at most the dial timeout) and, with
// a user configured, holds a token for this endpoint.
Status EtcdClient::Ready(Connection& connection) {
  auto deadline = Clock::now() + config_.dial_timeout;
  auto state = connection.channel->GetState(/*try_to_connect=*/true);
  // A failed channel retries on its own (backoff at most 1 s), so a member
  // that comes back within the dial timeout is used: keep waiting.
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_SHUTDOWN ||
        !connection.channel->WaitForStateChange(state, deadline)) {
      break;
    }
    state = connection.channel->GetState(true);
  }
  if (state != GRPC_CHANNEL_READY) {
    // A fail-fast call on the failed channel returns gRPC's reason (refused,
    // handshake error, ...), which the channel state alone does not give.
    grpc::ClientContext context;
    context.set_deadline(Clock::now() + std::chrono::milliseconds(200));
    pb::StatusResponse ignored;
    grpc::Status probe = connection.maintenance->Status(&context, pb::StatusRequest(), &ignored);
    std::string reason =
        state == GRPC_CHANNEL_TRANSIENT_FAILURE && !probe.ok()
            ? probe.error_message()
            : "no connection within " + FormatDuration(config_.dial_timeout) + " (--dial-timeout)";
    return Unavailable(connection.endpoint.text + ": cannot connect: " + reason);
  }
  if (!config_.user.empty() && connection.token.empty()) return Authenticate(connection);
  return Status::Ok();
}

Status EtcdClient::Authenticate(Connection& connection) {
  grpc::ClientContext context;
  context.set_deadline(Clock::now() + config_.command_timeout);
  pb::AuthenticateRequest request;
  request.set_name(config_.user);
  request.set_password(config_.password);
  pb::AuthenticateResponse response;
  grpc::Status status = connection.auth->Authenticate(&context, request, &response);
  if (!status.ok()) {
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return Unavailable(connection.endpoint.text + ": " + status.error_message());
    }
    return Unauthenticated(connection.endpoint.text + ": authenticating as user \"" + config_.user +
                           "\": " + status.error_message());
  }
  connection.token = response.token();
  return Status::Ok();
}

Status EtcdClient::Connect() {
  std::string failures;
  for (size_t i = 0; i < connections_.size(); ++i) {
    size_t index = (current_ + i) % connections_.size();
    Status ready = Ready(*connections_[index]);
    if (ready.ok()) {
      current_ = index;
      return ready;
    }
    if (ready.code() == ErrorCode::kUnauthenticated) return ready;
    AppendToList(failures, ready.message(), "; ");
  }
  return Unavailable(failures);
}

template <typename Response, typename Call>
Result<Response> EtcdClient::Invoke(const char* rpc, Retry retry, std::optional<size_t> pinned,
                                    Call&& call) {
  if (pinned && *pinned >= connections_.size()) {
    return InvalidArgument(std::string(rpc) + ": no endpoint #" + std::to_string(*pinned));
  }
  std::string failures;
  size_t attempts = pinned ? 1 : connections_.size();
  for (size_t i = 0; i < attempts; ++i) {
    size_t index = pinned ? *pinned : (current_ + i) % connections_.size();
    Connection& connection = *connections_[index];
    // Dial failures are safe to fail over from whatever the call: nothing
    // was sent yet.
    Status ready = Ready(connection);
    if (!ready.ok()) {
      if (ready.code() == ErrorCode::kUnauthenticated) return ready;
      AppendToList(failures, ready.message(), "; ");
      continue;
    }
    for (int auth_attempt = 0;; ++auth_attempt) {
      grpc::ClientContext context;
      context.set_deadline(Clock::now() + config_.command_timeout);
      if (!connection.token.empty()) context.AddMetadata("token", connection.token);
      Response response;
      grpc::Status status = call(connection, &context, &response);
      if (status.ok()) {
        if (!pinned) current_ = index;
        return response;
      }
      // Simple tokens expire (etcd --auth-token-ttl); get a fresh one once.
      if (auth_attempt == 0 && IsExpiredToken(status) && !config_.user.empty()) {
        connection.token.clear();
        KETCD_RETURN_IF_ERROR(Authenticate(connection));
        continue;
      }
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE && retry == Retry::kOnUnavailable &&
          !pinned) {
        AppendToList(failures, connection.endpoint.text + ": " + status.error_message(), "; ");
        break;
      }
      return FromGrpc(connection.endpoint, status, config_.command_timeout).WithContext(rpc);
    }
  }
  return Unavailable(failures);
}

// --- KV ---

Result<pb::RangeResponse> EtcdClient::Range(const pb::RangeRequest& request) {
  return Invoke<pb::RangeResponse>("range", Retry::kOnUnavailable, std::nullopt,
                                   [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                     return c.kv->Range(ctx, request, r);
                                   });
}

Result<pb::PutResponse> EtcdClient::Put(const pb::PutRequest& request) {
  return Invoke<pb::PutResponse>(
      "put", Retry::kNever, std::nullopt,
      [&](Connection& c, grpc::ClientContext* ctx, auto* r) { return c.kv->Put(ctx, request, r); });
}

Result<pb::DeleteRangeResponse> EtcdClient::DeleteRange(const pb::DeleteRangeRequest& request) {
  return Invoke<pb::DeleteRangeResponse>("delete", Retry::kNever, std::nullopt,
                                         [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                           return c.kv->DeleteRange(ctx, request, r);
                                         });
}

Result<pb::TxnResponse> EtcdClient::Txn(const pb::TxnRequest& request) {
  return Invoke<pb::TxnResponse>(
      "txn", Retry::kNever, std::nullopt,
      [&](Connection& c, grpc::ClientContext* ctx, auto* r) { return c.kv->Txn(ctx, request, r); });
}

Result<pb::CompactionResponse> EtcdClient::Compact(const pb::CompactionRequest& request) {
  // Compacting to the same revision twice is harmless.
  return Invoke<pb::CompactionResponse>("compact", Retry::kOnUnavailable, std::nullopt,
                                        [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                          return c.kv->Compact(ctx, request, r);
                                        });
}

// --- Lease ---

Result<pb::LeaseGrantResponse> EtcdClient::LeaseGrant(int64_t ttl_seconds, int64_t id) {
  pb::LeaseGrantRequest request;
  request.set_ttl(ttl_seconds);
  request.set_id(id);
  return Invoke<pb::LeaseGrantResponse>("lease grant", Retry::kNever, std::nullopt,
                                        [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                          return c.lease->LeaseGrant(ctx, request, r);
                                        });
}

Result<pb::LeaseRevokeResponse> EtcdClient::LeaseRevoke(int64_t id) {
  pb::LeaseRevokeRequest request;
  request.set_id(id);
  return Invoke<pb::LeaseRevokeResponse>("lease revoke", Retry::kOnUnavailable, std::nullopt,
                                         [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                           return c.lease->LeaseRevoke(ctx, request, r);
                                         });
}

Result<pb::LeaseTimeToLiveResponse> EtcdClient::LeaseTimeToLive(int64_t id, bool with_keys) {
  pb::LeaseTimeToLiveRequest request;
  request.set_id(id);
  request.set_keys(with_keys);
  return Invoke<pb::LeaseTimeToLiveResponse>("lease timetolive", Retry::kOnUnavailable,
                                             std::nullopt,
                                             [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                               return c.lease->LeaseTimeToLive(ctx, request, r);
                                             });
}

Result<pb::LeaseLeasesResponse> EtcdClient::LeaseLeases() {
  return Invoke<pb::LeaseLeasesResponse>("lease list", Retry::kOnUnavailable, std::nullopt,
                                         [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                           return c.lease->LeaseLeases(ctx,
                                                                       pb::LeaseLeasesRequest(), r);
                                         });
}

Result<pb::LeaseKeepAliveResponse> EtcdClient::LeaseKeepAliveOnce(int64_t id) {
  return Invoke<pb::LeaseKeepAliveResponse>(
      "lease keep-alive", Retry::kOnUnavailable, std::nullopt,
      [&](Connection& c, grpc::ClientContext* ctx, pb::LeaseKeepAliveResponse* r) {
        auto stream = c.lease->LeaseKeepAlive(ctx);
        pb::LeaseKeepAliveRequest request;
        request.set_id(id);
        if (!stream->Write(request) || !stream->WritesDone() || !stream->Read(r)) {
          return stream->Finish();
        }
        ctx->TryCancel();
        stream->Finish();
        return grpc::Status::OK;
      });
}

// --- Watch ---

Status EtcdClient::Watch(const pb::WatchCreateRequest& create,
                         const std::function<bool(const pb::WatchResponse&)>& on_response,
                         std::optional<std::chrono::milliseconds> timeout) {
  KETCD_RETURN_IF_ERROR(Connect());
  Connection& connection = *connections_[current_];
  grpc::ClientContext context;
  if (timeout) context.set_deadline(Clock::now() + *timeout);
  if (!connection.token.empty()) context.AddMetadata("token", connection.token);
  auto stream = connection.watch->Watch(&context);
  pb::WatchRequest request;
  *request.mutable_create_request() = create;
  if (!stream->Write(request)) {
    return FromGrpc(connection.endpoint, stream->Finish(), config_.command_timeout)
        .WithContext("watch");
  }
  pb::WatchResponse response;
  bool created = false;
  while (stream->Read(&response)) {
    if (response.canceled()) {
      (void)on_response(response);  // its last events and why it ended
      context.TryCancel();
      stream->Finish();
      std::string reason = response.cancel_reason();
      if (response.compact_revision() > 0) {
        reason = "revision compacted; oldest available is " +
                 std::to_string(response.compact_revision());
      }
      return Failed("watch canceled: " + reason);
    }
    if (!created && response.created()) {
      created = true;
      if (response.events_size() == 0) continue;
    }
    if (!on_response(response)) {
      context.TryCancel();
      stream->Finish();
      return Status::Ok();
    }
  }
  grpc::Status finish = stream->Finish();
  if (finish.ok() || (timeout && finish.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)) {
    return Status::Ok();
  }
  return FromGrpc(connection.endpoint, finish, config_.command_timeout).WithContext("watch");
}

// --- Cluster ---

Result<pb::MemberListResponse> EtcdClient::MemberList() {
  return Invoke<pb::MemberListResponse>("member list", Retry::kOnUnavailable, std::nullopt,
                                        [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                          return c.cluster->MemberList(ctx, pb::MemberListRequest(),
                                                                       r);
                                        });
}

Result<pb::MemberAddResponse> EtcdClient::MemberAdd(const std::vector<std::string>& peer_urls,
                                                    bool as_learner) {
  pb::MemberAddRequest request;
  for (const auto& url : peer_urls) request.add_peerurls(url);
  request.set_islearner(as_learner);
  return Invoke<pb::MemberAddResponse>("member add", Retry::kNever, std::nullopt,
                                       [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                         return c.cluster->MemberAdd(ctx, request, r);
                                       });
}

Result<pb::MemberRemoveResponse> EtcdClient::MemberRemove(uint64_t id) {
  pb::MemberRemoveRequest request;
  request.set_id(id);
  return Invoke<pb::MemberRemoveResponse>("member remove", Retry::kNever, std::nullopt,
                                          [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                            return c.cluster->MemberRemove(ctx, request, r);
                                          });
}

Result<pb::MemberUpdateResponse> EtcdClient::MemberUpdate(
    uint64_t id, const std::vector<std::string>& peer_urls) {
  pb::MemberUpdateRequest request;
  request.set_id(id);
  for (const auto& url : peer_urls) request.add_peerurls(url);
  // Setting the same peer URLs again is harmless.
  return Invoke<pb::MemberUpdateResponse>("member update", Retry::kOnUnavailable, std::nullopt,
                                          [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                            return c.cluster->MemberUpdate(ctx, request, r);
                                          });
}

Result<pb::MemberPromoteResponse> EtcdClient::MemberPromote(uint64_t id) {
  pb::MemberPromoteRequest request;
  request.set_id(id);
  return Invoke<pb::MemberPromoteResponse>("member promote", Retry::kNever, std::nullopt,
                                           [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                             return c.cluster->MemberPromote(ctx, request, r);
                                           });
}

// --- Maintenance ---

Result<pb::StatusResponse> EtcdClient::EndpointStatus(size_t endpoint) {
  return Invoke<pb::StatusResponse>("status", Retry::kNever, endpoint,
                                    [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                      return c.maintenance->Status(ctx, pb::StatusRequest(), r);
                                    });
}

Result<pb::DefragmentResponse> EtcdClient::Defragment(size_t endpoint) {
  return Invoke<pb::DefragmentResponse>(
      "defragment", Retry::kNever, endpoint, [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
        // Defragmenting a large backend takes longer than a normal command;
        // etcdctl has the same rule of thumb.
        ctx->set_deadline(Clock::now() +
                          std::max(config_.command_timeout, std::chrono::milliseconds(60000)));
        return c.maintenance->Defragment(ctx, pb::DefragmentRequest(), r);
      });
}

Result<pb::HashKVResponse> EtcdClient::HashKV(size_t endpoint, int64_t revision) {
  pb::HashKVRequest request;
  request.set_revision(revision);
  return Invoke<pb::HashKVResponse>("hashkv", Retry::kNever, endpoint,
                                    [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                      return c.maintenance->HashKV(ctx, request, r);
                                    });
}

Result<pb::MoveLeaderResponse> EtcdClient::MoveLeader(size_t endpoint, uint64_t target_id) {
  pb::MoveLeaderRequest request;
  request.set_targetid(target_id);
  return Invoke<pb::MoveLeaderResponse>("move-leader", Retry::kNever, endpoint,
                                        [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                          return c.maintenance->MoveLeader(ctx, request, r);
                                        });
}

Result<pb::AlarmResponse> EtcdClient::Alarm(const pb::AlarmRequest& request) {
  // Listing is a read; disarming an alarm twice is harmless.
  return Invoke<pb::AlarmResponse>("alarm", Retry::kOnUnavailable, std::nullopt,
                                   [&](Connection& c, grpc::ClientContext* ctx, auto* r) {
                                     return c.maintenance->Alarm(ctx, request, r);
                                   });
}

::ketcd::Status EtcdClient::Snapshot(
    size_t endpoint, const std::function<::ketcd::Status(const std::string&, uint64_t)>& sink) {
  if (endpoint >= connections_.size()) return InvalidArgument("snapshot: no such endpoint");
  Connection& connection = *connections_[endpoint];
  KETCD_RETURN_IF_ERROR(Ready(connection));
  grpc::ClientContext context;
  if (!connection.token.empty()) context.AddMetadata("token", connection.token);
  auto stream = connection.maintenance->Snapshot(&context, pb::SnapshotRequest());
  pb::SnapshotResponse response;
  while (stream->Read(&response)) {
    ::ketcd::Status status = sink(response.blob(), response.remaining_bytes());
    if (!status.ok()) {
      context.TryCancel();
      stream->Finish();
      return status;
    }
  }
  grpc::Status finish = stream->Finish();
  if (!finish.ok()) {
    return FromGrpc(connection.endpoint, finish, config_.command_timeout).WithContext("snapshot");
  }
  return ::ketcd::Status::Ok();
}

Result<size_t> EtcdClient::FindLeaderEndpoint() {
  std::string failures;
  uint64_t leader = 0;
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    auto status = EndpointStatus(i);
    if (!status.ok()) {
      failures += "; " + status.status().message();
      continue;
    }
    leader = status->leader();
    if (status->header().member_id() == leader) return i;
  }
  if (leader == 0) return Unavailable("no endpoint reports a leader" + failures);
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(leader));
  return Failed(std::string("the leader (member ") + hex +
                ") is not among the endpoints; add its client URL to --endpoints");
}

}  // namespace ketcd::etcd
