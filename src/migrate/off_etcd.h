// What a CIDR migration needs outside etcd: the ordered checklist printed
// with every plan, and for kubeadm layouts, unified diffs of the
// static-pod manifests (the operator reviews and applies them with patch).
#pragma once

#include <string>
#include <vector>

#include "migrate/cidr_migration.h"

namespace ketcd::migrate {

std::vector<std::string> OffEtcdSteps(const MigrationRequest& request, const MigrationPlan& plan);

struct FileDiff {
  std::string path;
  std::string unified;  // "--- path\n+++ path\n@@ ... @@\n..."
};

// Diffs for DIR/manifests/kube-apiserver.yaml and kube-controller-manager.yaml
// (--service-cluster-ip-range for a Service CIDR move, --cluster-cidr for a
// Pod CIDR move). A manifest that is missing is kInvalidArgument; one that
// needs no change gives no diff.
Result<std::vector<FileDiff>> KubeadmManifestDiffs(const std::string& dir, const MigrationRequest& request);

// A diff for a kubelet configuration file (/var/lib/kubelet/config.yaml):
// clusterDNS, on a Service CIDR move. nullopt when nothing changes.
Result<std::optional<FileDiff>> KubeletConfigDiff(const std::string& path, const MigrationRequest& request);

// Both of the above, for the files given (an empty path: none). A
// migration reads them before etcd, so a bad path fails before any write.
Result<std::vector<FileDiff>> OffEtcdFileDiffs(const MigrationRequest& request, const std::string& kubeadm_dir,
                                               const std::string& kubelet_config);

// A unified diff of two texts with the same number of lines (line edits
// only, as our rewrites make), 3 lines of context.
std::string UnifiedDiff(const std::string& path, const std::string& before, const std::string& after);

}  // namespace ketcd::migrate
