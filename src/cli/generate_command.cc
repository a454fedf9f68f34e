// ketcd generate cluster: writes a Kubernetes-shaped keyspace (see
// sample/sample_cluster.h) into etcd, for demos, tests and benchmarks.
#include <CLI/CLI.hpp>
#include <ctime>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "sample/sample_cluster.h"

namespace ketcd::cli {
namespace {

struct GenerateFlags {
  std::vector<std::string> service_cidrs = {"10.96.0.0/12"};
  std::string pod_cidr = "10.244.0.0/16";
  int node_mask = 24, services = 20, nodes = 3;
  bool no_ip_objects = false;
  int64_t renewed_ago = 3600;
  std::string schema;
};

Status Generate(CommandContext& context, const GenerateFlags& flags) {
  sample::SampleClusterOptions options;
  for (const std::string& text : flags.service_cidrs) {
    auto cidr = migrate::ParseCidr(text);
    if (!cidr.ok()) return cidr.status().WithContext("--service-cidr");
    options.service_cidrs.push_back(*cidr);
  }
  auto pods = migrate::ParseCidr(flags.pod_cidr);
  if (!pods.ok()) return pods.status().WithContext("--pod-cidr");
  options.pod_cidr = *pods;
  options.node_mask = flags.node_mask;
  options.services = flags.services;
  options.nodes = flags.nodes;
  options.ip_objects = !flags.no_ip_objects;
  options.now = std::time(nullptr);
  options.apiserver_renewed_ago = flags.renewed_ago;
  auto schema = k8s::Schema::Load(flags.schema);
  if (!schema.ok()) return schema.status();
  auto objects = sample::GenerateSampleCluster(**schema, options);
  if (!objects.ok()) return objects.status();
  auto client = context.Client();
  if (!client.ok()) return client.status();
  constexpr size_t kBatch = 100;  // under etcd's --max-txn-ops 128
  for (size_t begin = 0; begin < objects->size(); begin += kBatch) {
    etcd::pb::TxnRequest request;
    for (size_t i = begin; i < std::min(objects->size(), begin + kBatch); ++i) {
      auto* put = request.add_success()->mutable_request_put();
      put->set_key((*objects)[i].first);
      put->set_value((*objects)[i].second);
    }
    auto response = (*client)->Txn(request);
    if (!response.ok()) return response.status();
  }
  *context.out << "Wrote " << objects->size() << " objects\n";
  return Status::Ok();
}

}  // namespace

void AddGenerateCommand(CLI::App& app, CommandContext& context) {
  auto* generate = app.add_subcommand("generate", "Write sample data into etcd (demos, tests, benchmarks)");
  generate->require_subcommand(1);
  auto bind = [](CLI::App& cluster, GenerateFlags& flags) {
    cluster.add_option("--service-cidr", flags.service_cidrs, "Service range(s), one per IP family")
        ->delimiter(',')->capture_default_str();
    cluster.add_option("--pod-cidr", flags.pod_cidr, "Pod range")->capture_default_str();
    cluster.add_option("--node-mask", flags.node_mask, "Prefix length of each node's pod subnet")->capture_default_str();
    cluster.add_option("--services", flags.services, "Services besides kubernetes and kube-dns")->capture_default_str();
    cluster.add_option("--nodes", flags.nodes, "Nodes")->capture_default_str();
    cluster.add_flag("--no-ip-objects", flags.no_ip_objects, "No ServiceCIDR/IPAddress objects (clusters before 1.33)");
    cluster.add_option("--apiserver-renewed-ago", flags.renewed_ago,
                       "Seconds since kube-apiserver's lease renewal (small = looks alive)")->capture_default_str();
    cluster.add_option("--schema", flags.schema, "Schema to encode with (default: built in)");
  };
  AddCommand<GenerateFlags>(*generate, context, "cluster",
                            "A kubeadm-shaped cluster: Services, Nodes, configs, allocator", bind, Generate);
}

}  // namespace ketcd::cli
