// A Kubernetes-shaped keyspace for demos, tests and benchmarks: what a
// kubeadm cluster keeps in etcd, as the API server stores it (protobuf made
// by our encoder from the API's JSON, custom resources as JSON), under the
// API server's keys. It holds the kubernetes and kube-dns Services, Services
// of every type (ClusterIP, NodePort, LoadBalancer, headless, ExternalName,
// some dual-stack), Nodes with pod CIDRs and addresses, the kubeadm,
// kubelet, kube-proxy and flannel ConfigMaps, the Service IP allocator, the
// ServiceCIDR and IPAddress objects of 1.33+ clusters, a Calico IPPool and
// kube-apiserver's identity lease.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "k8s/schema.h"
#include "migrate/cidr.h"

namespace ketcd::sample {

struct SampleClusterOptions {
  std::vector<migrate::Cidr> service_cidrs;  // one per family; the first is primary
  migrate::Cidr pod_cidr;
  int node_mask = 24;  // each node's pod subnet
  int services = 20;   // besides kubernetes and kube-dns
  int nodes = 3;
  bool ip_objects = true;  // ServiceCIDR + IPAddress objects (1.33+)
  int64_t now = 0;         // Unix seconds for timestamps
  int64_t apiserver_renewed_ago = 3600;  // seconds since the lease renewal
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Errors: kInvalidArgument when the ranges cannot hold the objects asked
// for, or the schema lacks a kind.
Result<KeyValues> GenerateSampleCluster(const k8s::Schema& schema, const SampleClusterOptions& options);

}  // namespace ketcd::sample
