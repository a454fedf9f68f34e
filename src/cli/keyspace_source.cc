#include "cli/keyspace_source.h"

#include "bolt/format.h"
#include "k8s/registry_key.h"
#include "snapshot/offline_keyspace.h"

namespace ketcd::cli {

void AddKeyspaceSourceOptions(CLI::App* command, KeyspaceSource& source) {
  auto* snapshot = command->add_option("--snapshot", source.snapshot,
                                       "Read offline from this snapshot file (no etcd needed)");
  auto* data_dir = command->add_option(
      "--data-dir", source.data_dir,
      "Read offline from this member data dir (DIR/member/snap/db; stop etcd first)");
  snapshot->excludes(data_dir);
}

Result<Keyspace> OpenKeyspace(const CommandContext& context, const KeyspaceSource& source,
                              snapshot::KeyScope scope) {
  Keyspace keyspace;
  if (!source.offline()) {
    auto client = context.Client();
    if (!client.ok()) return client.status();
    keyspace.client = client->get();
    keyspace.reader = std::move(*client);
    return keyspace;
  }
  std::string path = source.snapshot;
  if (path.empty()) {
    auto backend = snapshot::BackendPathInDataDir(source.data_dir);
    if (!backend.ok()) return backend.status();
    path = *backend;
  }
  auto offline = snapshot::OfflineKeyspace::Open(path, std::move(scope));
  if (!offline.ok()) return offline.status();
  const bolt::Database& db = (*offline)->file().db;
  DatabaseSize size{static_cast<int64_t>(db.size()), static_cast<int64_t>(db.size())};
  if (db.meta().freelist != bolt::kNoFreelist) {
    if (auto page = db.Page(db.meta().freelist); page.ok()) {
      if (auto free = bolt::ReadFreelist(*page); free.ok()) {
        size.in_use -= static_cast<int64_t>(free->size() * db.meta().page_size);
      }
    }
  }
  keyspace.offline_size = size;
  keyspace.offline = offline->get();
  keyspace.reader = std::move(*offline);
  return keyspace;
}

etcd::PageSizing ObjectPageSizing() {
  etcd::PageSizing sizing;
  sizing.group_of = [](std::string_view key) { return k8s::ResourcePrefixOf(key); };
  return sizing;
}

}  // namespace ketcd::cli
