// Where read-only keyspace commands (get, ls, stats, dump, history, diff)
// read from: the live cluster, or offline from a snapshot file
// (--snapshot FILE) or a member's data dir (--data-dir DIR).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_context.h"
#include "etcd/range_pager.h"
#include "etcd/range_reader.h"
#include "snapshot/offline_keyspace.h"

namespace ketcd::cli {

struct KeyspaceSource {
  std::string snapshot;  // --snapshot FILE
  std::string data_dir;  // --data-dir DIR
  bool offline() const { return !snapshot.empty() || !data_dir.empty(); }
};

void AddKeyspaceSourceOptions(CLI::App* command, KeyspaceSource& source);

// The database's size and the part of it in use (the rest is free pages
// that only a defragmentation returns to the file system).
struct DatabaseSize {
  int64_t total = 0;
  int64_t in_use = 0;
  int64_t quota = 0;  // as the member reports it (etcd 3.6+); 0: not known
};

struct Keyspace {
  std::unique_ptr<etcd::RangeReader> reader;
  etcd::EtcdClient* client = nullptr;  // set when reading the live cluster
  snapshot::OfflineKeyspace* offline = nullptr;  // set when reading a file
  std::optional<DatabaseSize> offline_size;
};

// `scope`: the keys the command will read; offline, only these are indexed.
Result<Keyspace> OpenKeyspace(const CommandContext& context, const KeyspaceSource& source,
                              snapshot::KeyScope scope = {});

// Page sizes for reading Kubernetes objects: pages stop where a resource
// ends (object sizes differ most between resources; etcd/range_pager.h).
etcd::PageSizing ObjectPageSizing();

}  // namespace ketcd::cli
