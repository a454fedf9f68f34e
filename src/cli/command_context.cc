#include "cli/command_context.h"

#include <unistd.h>

namespace ketcd::cli {

bool CommandContext::ErrIsTerminal() const { return err == &std::cerr && ::isatty(STDERR_FILENO) == 1; }

Result<etcd::ResolvedConnection> CommandContext::Connection() const {
  return etcd::ResolveConnection(settings, etcd::ProcessEnvironment(), host_root);
}

Result<std::unique_ptr<etcd::EtcdClient>> CommandContext::Client() const {
  auto connection = Connection();
  if (!connection.ok()) return connection.status();
  auto client = etcd::EtcdClient::Create(connection->config);
  if (!client.ok()) return client.status();
  KETCD_RETURN_IF_ERROR((*client)->Connect());
  return client;
}

Result<std::vector<std::unique_ptr<etcd::EtcdClient>>> CommandContext::ClientPerEndpoint(
    bool whole_cluster) const {
  auto connection = Connection();
  if (!connection.ok()) return connection.status();
  etcd::ConnectionConfig config = connection->config;
  if (whole_cluster) {
    auto client = Client();
    if (!client.ok()) return client.status();
    auto members = (*client)->MemberList();
    if (!members.ok()) return members.status();
    config.endpoints.clear();
    for (const auto& member : members->members()) {
      for (const auto& url : member.clienturls()) config.endpoints.push_back(url);
    }
    if (config.endpoints.empty()) return Failed("no member has a client URL");
  }
  std::vector<std::unique_ptr<etcd::EtcdClient>> clients;
  for (const auto& endpoint : config.endpoints) {
    etcd::ConnectionConfig single = config;
    single.endpoints = {endpoint};
    auto client = etcd::EtcdClient::Create(single);
    if (!client.ok()) return client.status();
    clients.push_back(std::move(*client));
  }
  return clients;
}

}  // namespace ketcd::cli
