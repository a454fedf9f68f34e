#include "migrate/off_etcd.h"

#include <fstream>
#include <sstream>

#include "migrate/text_edit.h"
#include "util/read_file.h"
#include "util/string_building.h"

namespace ketcd::migrate {
namespace {

std::string Ranges(const MigrationRequest& request) {
  std::string text;
  for (const auto& mapping : request.addresses.mappings()) AppendToList(text, FormatCidr(mapping.to()));
  return text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TokenRewriter Mapper(const MigrationRequest& request) {
  return [&request](std::string_view token) { return request.addresses.MapToken(token); };
}

// The diff `rewrite` makes to the file at `path`.
Result<std::optional<FileDiff>> DiffOfRewrite(
    const std::string& path, const std::function<Result<std::optional<std::string>>(std::string_view)>& rewrite) {
  auto read = ReadWholeFile(path);
  if (!read.ok()) return InvalidArgument(read.status().message());
  const std::string& before = *read;
  auto after = rewrite(before);
  if (!after.ok()) return after.status().WithContext(path);
  if (!after->has_value()) return std::optional<FileDiff>();
  return std::optional<FileDiff>(FileDiff{path, UnifiedDiff(path, before, **after)});
}

}  // namespace

std::vector<std::string> OffEtcdSteps(const MigrationRequest& request, const MigrationPlan& plan) {
  const std::string ranges = Ranges(request);
  if (request.target == MigrationTarget::kPodCidr) {
    return {
        "Every kube-controller-manager: --cluster-cidr=" + ranges + " (kubeadm: manifests/kube-controller-manager.yaml).",
        "Restart kube-controller-manager, then delete the kube-proxy pods so they read the new clusterCIDR.",
        "CNI: restart its DaemonSet (flannel/Calico read the ranges --include-cni rewrote; other CNIs keep their own).",
        "Pods keep their old addresses until recreated: drain and uncordon each node (or reboot it) so its pods "
        "get addresses from its new podCIDR.",
    };
  }
  std::string first;
  for (const auto& mapping : request.addresses.mappings()) {
    IpAddress address = mapping.to().base;
    address.bytes[address.v6 ? 15 : 3] |= 1;
    AppendToList(first, FormatIp(address));
  }
  std::vector<std::string> steps = {
      "Keep every kube-apiserver stopped until --apply has finished.",
      "Every kube-apiserver and kube-controller-manager: --service-cluster-ip-range=" + ranges +
          " (kubeadm: manifests/kube-apiserver.yaml, manifests/kube-controller-manager.yaml).",
      "API server certificate: it needs the IP SAN " + first +
          " (kubeadm: move pki/apiserver.crt and .key aside, then `kubeadm init phase certs apiserver` "
          "with serviceSubnet " + ranges + "), on every control-plane node.",
      "Start kube-apiserver, kube-controller-manager and kube-scheduler.",
  };
  if (!plan.cluster_dns.empty()) {
    steps.push_back("Every kubelet: clusterDNS " + plan.cluster_dns +
                    " in /var/lib/kubelet/config.yaml, then restart kubelet.");
  }
  steps.push_back("Delete the kube-proxy pods (they program the new ClusterIPs) and the CoreDNS pods.");
  steps.push_back("Pods keep the old DNS address in resolv.conf until recreated: roll out every workload.");
  return steps;
}

Result<std::vector<FileDiff>> KubeadmManifestDiffs(const std::string& dir, const MigrationRequest& request) {
  const bool services = request.target == MigrationTarget::kServiceCidr;
  std::vector<std::string> files = {"kube-controller-manager.yaml"};
  if (services) files.insert(files.begin(), "kube-apiserver.yaml");
  const std::string flag = services ? "--service-cluster-ip-range" : "--cluster-cidr";
  std::vector<FileDiff> diffs;
  for (const std::string& file : files) {
    auto diff = DiffOfRewrite(dir + "/manifests/" + file, [&](std::string_view text) {
      return RewriteFlagValue(text, flag, Mapper(request));
    });
    if (!diff.ok()) return diff.status();
    if (diff->has_value()) diffs.push_back(std::move(**diff));
  }
  return diffs;
}

Result<std::optional<FileDiff>> KubeletConfigDiff(const std::string& path, const MigrationRequest& request) {
  if (request.target != MigrationTarget::kServiceCidr) return std::optional<FileDiff>();
  return DiffOfRewrite(path, [&](std::string_view text) { return RewriteYamlKey(text, "clusterDNS", Mapper(request)); });
}

Result<std::vector<FileDiff>> OffEtcdFileDiffs(const MigrationRequest& request, const std::string& kubeadm_dir,
                                               const std::string& kubelet_config) {
  std::vector<FileDiff> diffs;
  if (!kubeadm_dir.empty()) {
    auto found = KubeadmManifestDiffs(kubeadm_dir, request);
    if (!found.ok()) return found.status();
    diffs = std::move(*found);
  }
  if (!kubelet_config.empty()) {
    auto diff = KubeletConfigDiff(kubelet_config, request);
    if (!diff.ok()) return diff.status();
    if (diff->has_value()) diffs.push_back(std::move(**diff));
  }
  return diffs;
}

std::string UnifiedDiff(const std::string& path, const std::string& before, const std::string& after) {
  const std::vector<std::string> old_lines = Lines(before), new_lines = Lines(after);
  constexpr size_t kContext = 3;
  std::string out = "--- " + path + "\n+++ " + path + "\n";
  size_t i = 0;
  while (i < old_lines.size()) {
    if (old_lines[i] == new_lines[i]) {
      ++i;
      continue;
    }
    // A hunk: from the change's context to the last change within reach.
    const size_t start = i >= kContext ? i - kContext : 0;
    size_t last = i;
    for (size_t j = i + 1; j < old_lines.size() && j <= last + 2 * kContext; ++j) {
      if (old_lines[j] != new_lines[j]) last = j;
    }
    const size_t end = std::min(old_lines.size(), last + kContext + 1);
    const std::string range = std::to_string(start + 1) + "," + std::to_string(end - start);
    out += "@@ -" + range + " +" + range + " @@\n";
    for (size_t j = start; j < end; ++j) {
      if (old_lines[j] == new_lines[j]) {
        out += " " + old_lines[j] + "\n";
      } else {
        out += "-" + old_lines[j] + "\n+" + new_lines[j] + "\n";
      }
    }
    i = end;
  }
  return out;
}

}  // namespace ketcd::migrate
