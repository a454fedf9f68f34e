#include "restore/storage_version.h"

#include <optional>

namespace ketcd::restore {
namespace {

// The minor version of "3.N" or "3.N.P"; nullopt for anything else.
std::optional<int> MinorVersion(std::string_view version) {
  auto parsed = ParseEtcdVersion(version);
  return parsed ? std::optional<int>(parsed->minor) : std::nullopt;
}

}  // namespace

Result<std::string> MigrateStorageVersion(const bolt::Database& db, const std::string& saved,
                                          const RestoreOptions& options, BackendEdits& edits) {
  if (saved.empty()) return saved;
  if (options.target_version.empty()) {
    const std::optional<int> node = MinorVersion(options.node_etcd_version);
    const std::optional<int> storage = MinorVersion(saved);
    if (node && storage && *node < *storage) {
      return InvalidArgument("the snapshot's storage version is " + saved + " but this node runs etcd " +
                             options.node_etcd_version + " (" + options.node_etcd_source +
                             "), which refuses to start from it; --target-version 3." +
                             std::to_string(*node) + " migrates the storage down as etcdutl migrate "
                             "does, --target-version 3." + std::to_string(*storage) +
                             " restores it as saved for a newer etcd");
    }
    return saved;
  }
  const std::optional<int> from = MinorVersion(saved);
  const int to = *MinorVersion(options.target_version);  // checked by ClusterOf
  if (!from) return DataLoss("meta storageVersion \"" + saved + "\" is not an etcd version");
  if (to >= *from) return saved;
  if (to < 5) {
    return InvalidArgument("the snapshot's storage version is " + saved + ": etcd 3." +
                           std::to_string(to) +
                           " cannot start from it, and etcd migrates storage down to 3.5 at "
                           "the lowest; restore for etcd 3.5 or newer");
  }
  const std::string target = "3." + std::to_string(to) + ".0";
  // The cluster version the old cluster had reached: an older etcd panics
  // on one above its own ("invalid downgrade"); the new cluster sets its
  // own once its members run.
  auto cluster_version = bolt::ValueIn(db, "cluster", "clusterVersion");
  if (!cluster_version.ok()) return cluster_version.status();
  const std::optional<int> cluster_minor = MinorVersion(*cluster_version);
  if (cluster_minor && *cluster_minor > to) edits.merged["cluster"]["clusterVersion"] = target;
  if (to == 5) {
    edits.removed["meta"].insert("storageVersion");
    return std::string();
  }
  edits.merged["meta"]["storageVersion"] = target;
  return target;
}


}  // namespace ketcd::restore
