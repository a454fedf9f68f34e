// How to start a member that joins an existing cluster: the etcd flags, and
// for kubeadm control planes the static-pod manifest
// (/etc/kubernetes/manifests/etcd.yaml) with kubeadm's certificate layout.
#pragma once

#include <string>
#include <vector>

namespace ketcd::cluster {

struct JoiningMember {
  std::string name, peer_url, client_url, initial_cluster;
  std::string data_dir = "/var/lib/etcd";
  std::string image;  // e.g. REPOSITORY/etcd:3.5.16-0
};

// --name ... --initial-cluster-state=existing; https URLs add kubeadm's
// certificate flags (/etc/kubernetes/pki/etcd).
std::vector<std::string> JoiningMemberFlags(const JoiningMember& member);

// kubeadm's etcd static pod for the member.
std::string KubeadmEtcdManifest(const JoiningMember& member);

}  // namespace ketcd::cluster
