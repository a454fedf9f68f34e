// Planning a Service CIDR or Pod CIDR migration: every object in etcd that
// holds the range, and its rewritten bytes. Planning reads only (a live
// cluster or, offline, a snapshot); apply.h writes a plan.
//
// What is rewritten (facts: ../shared/notes/k8s-storage.md 3.3-3.6;
// which Kubernetes versions need what: docs/cidr-migration.md):
//   service-cidr: Services' spec.clusterIP/clusterIPs, the allocator
//     bitmaps /registry/ranges/{,secondary}serviceips, ServiceCIDR objects,
//     IPAddress objects (named by their address: their keys move), the
//     kubeadm-config ClusterConfiguration serviceSubnet and the
//     kubelet-config clusterDNS.
//   pod-cidr: Nodes' spec.podCIDR/podCIDRs, kubeadm-config podSubnet,
//     kube-proxy's clusterCIDR; with include_cni, flannel's net-conf.json
//     and Calico IPPools (reported without it).
// Each rewrite changes only those fields' bytes (wire_edit.h, text_edit.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "etcd/range_reader.h"
#include "migrate/address_map.h"

namespace ketcd::migrate {

enum class MigrationTarget { kServiceCidr, kPodCidr };
const char* MigrationTargetName(MigrationTarget target);  // "service-cidr"

struct MigrationRequest {
  MigrationTarget target = MigrationTarget::kServiceCidr;
  AddressMap addresses;
  std::vector<Cidr> avoid;  // ranges the new ones must not overlap (--avoid)
  bool include_cni = false;
};

struct FieldChange {
  std::string field;  // "spec.clusterIPs[0]", "data.kubelet: clusterDNS"
  std::string old_value, new_value;
};

struct ObjectChange {
  std::string kind;  // "Service", "Node", ...
  std::string key;
  std::string new_key;  // set when the object moves (IPAddress)
  int64_t mod_revision = 0;
  std::string old_value, new_value;
  std::vector<FieldChange> fields;
};

struct MigrationPlan {
  int64_t revision = 0;  // the keyspace revision the plan was read at
  std::vector<ObjectChange> changes;
  int64_t objects_checked = 0;
  std::vector<std::string> notices;  // worth knowing, not blocking
  std::string cluster_dns;  // kube-dns's ClusterIP after the migration, if any
};

// Reads the keyspace and plans. Every problem found (an address outside
// --from, an offset too large for --to, a new range overlapping a node's
// address or --avoid, an encrypted object that needs a change) is listed in
// one kInvalidArgument error, one line per problem.
Result<MigrationPlan> PlanCidrMigration(etcd::RangeReader& reader, const MigrationRequest& request);

// The "is the API server still running?" pre-check: kube-apiserver renews
// its identity lease (kube-system/apiserver-*) every 10 s and its endpoint
// lease (/registry/masterleases/) as often. When one was renewed in the last
// 30 s, watches it for up to `wait_seconds` more: a renewal means the API
// server is alive (kFailed, naming the lease); silence means it stopped.
// `note` tells the operator why it waits.
Status CheckApiServerStopped(etcd::RangeReader& reader, int wait_seconds,
                             const std::function<void(const std::string&)>& note);

}  // namespace ketcd::migrate
