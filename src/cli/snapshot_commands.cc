// ketcd snapshot save|status|verify|diff.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/decoding_options.h"
#include "cli/snapshot_restore.h"
#include "etcd/discovery.h"
#include "etcd/range_pager.h"
#include "restore/restore.h"
#include "snapshot/keyspace_diff.h"
#include "snapshot/offline_keyspace.h"
#include "snapshot/save.h"
#include "snapshot/status.h"
#include "snapshot/verify.h"
#include "util/json_text.h"
#include "util/progress.h"

namespace ketcd::cli {
namespace {

struct SaveArgs {
  std::string path, endpoint;
};

Status Save(CommandContext& context, const SaveArgs& args) {
  const std::string& path = args.path;
  CommandContext pinned = context;
  if (!args.endpoint.empty()) pinned.settings.endpoints = args.endpoint;
  auto client = pinned.Client();
  if (!client.ok()) return client.status();
  auto member = snapshot::PickSnapshotMember(**client);
  if (!member.ok()) return member.status();
  ProgressBar progress("snapshot " + (*client)->endpoints()[*member].text, *context.err, context.ErrIsTerminal());
  auto saved = snapshot::SaveSnapshot(**client, *member, path, [&](uint64_t done, uint64_t total) {
    progress.Update(done, total);
  });
  progress.Finish();
  if (!saved.ok()) return saved.status();
  if (path != "-") *context.out << "Snapshot saved at " << path << "\n";
  return Status::Ok();
}

std::string HashText(uint32_t hash) {
  char text[9];
  std::snprintf(text, sizeof text, "%x", hash);
  return text;
}

struct StatusArgs {
  std::string path;
  snapshot::EtcdutlCompat compat = snapshot::EtcdutlCompat::kAuto;
};

Status PrintStatus(CommandContext& context, const StatusArgs& args) {
  const std::string& path = args.path;
  auto file = snapshot::OpenSnapshot(path);
  if (!file.ok()) return file.status();
  auto computed = snapshot::ComputeEtcdutlStatus(file->db, args.compat);
  if (!computed.ok()) return computed.status().WithContext(path);
  const snapshot::SnapshotStatus& status = computed->status;
  // etcdutl 3.6+ adds the storage version column.
  const bool v36 = computed->etcdutl_36;
  std::vector<std::string> row = {HashText(status.hash), std::to_string(status.revision),
                                  std::to_string(status.total_keys),
                                  HumanBytes(static_cast<uint64_t>(status.total_size))};
  if (v36) row.push_back(status.storage_version);
  // What the file says about the cluster, where it holds it (not in
  // etcdctl's output, so its simple format stays as it is).
  std::vector<std::pair<std::string, Json>> extra;
  if (!status.cluster_version.empty()) extra.emplace_back("clusterVersion", status.cluster_version);
  if (status.members > 0) extra.emplace_back("members", status.members);
  if (status.consistent_index) extra.emplace_back("consistentIndex", *status.consistent_index);
  if (status.term) extra.emplace_back("term", *status.term);
  if (status.compacted_revision) extra.emplace_back("compactedRevision", *status.compacted_revision);
  switch (context.format) {
    case OutputFormat::kSimple:
      PrintSimpleRow(*context.out, row);
      break;
    case OutputFormat::kTable: {
      std::vector<std::string> header = {"HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"};
      if (v36) header.push_back("VERSION");
      Table table(header);
      table.AddRow(row);
      table.Print(*context.out);
      if (extra.empty()) break;
      Table cluster({"CLUSTER VERSION", "MEMBERS", "CONSISTENT INDEX", "TERM", "COMPACTED REV"});
      auto text = [&](const char* name) {
        for (const auto& [key, value] : extra) {
          if (key == name) return value.is_string() ? value.get<std::string>() : value.dump();
        }
        return std::string("-");
      };
      cluster.AddRow({text("clusterVersion"), text("members"), text("consistentIndex"),
                      text("term"), text("compactedRevision")});
      cluster.Print(*context.out);
      break;
    }
    default: {
      Json document = {{"hash", status.hash},
                       {"revision", status.revision},
                       {"totalKey", status.total_keys},
                       {"totalSize", status.total_size}};
      if (v36) document["version"] = status.storage_version;
      for (const auto& [key, value] : extra) document[key] = value;
      PrintDocument(*context.out, document, context.format);
    }
  }
  return Status::Ok();
}

struct VerifyArgs {
  std::string path;
};

Status Verify(CommandContext& context, const VerifyArgs& args) {
  const std::string& path = args.path;
  auto file = snapshot::OpenSnapshot(path);
  if (!file.ok()) return file.status();
  auto report = snapshot::Verify(*file);
  if (!report.ok()) return report.status().WithContext(path);
  using Trailer = snapshot::VerifyReport::Trailer;
  const char* trailer = report->trailer == Trailer::kMatches  ? "matches"
                        : report->trailer == Trailer::kAbsent ? "none (a member's database has none)"
                                                              : "MISMATCH";
  if (IsStructured(context.format)) {
    Json problems = Json::array();
    for (const auto& problem : report->problems) problems.push_back(problem);
    PrintDocument(*context.out,
                  {{"file", path},
                   {"ok", report->problems.empty()},
                   {"sha256Trailer", report->trailer == Trailer::kMatches  ? "matches"
                                     : report->trailer == Trailer::kAbsent ? "absent"
                                                                           : "mismatch"},
                   {"pagesInUse", report->pages_reachable},
                   {"pagesFree", report->pages_free},
                   {"revisions", report->revisions},
                   {"tombstones", report->tombstones},
                   {"lastRevision", report->last_revision},
                   {"problems", problems}},
                  context.format);
  } else {
    std::ostream& out = *context.out;
    out << path << ": " << (report->problems.empty() ? "OK" : "CORRUPT") << "\n"
        << "  sha256 trailer: " << trailer << "\n"
        << "  structure:      " << report->pages_reachable << " pages in use, "
        << report->pages_free << " free\n"
        << "  revisions:      " << report->revisions << " checked (" << report->tombstones
        << " deletions), newest " << report->last_revision << "\n";
    for (const auto& problem : report->problems) out << "  problem: " << problem << "\n";
  }
  if (report->problems.empty()) return Status::Ok();
  return DataLoss(path + ": " + std::to_string(report->problems.size()) + " problem(s) found");
}

struct HashKvArgs {
  std::string path;
  int64_t revision = 0;
};

// etcdutl hashkv: comparable with etcd's HashKV RPC at the same revision
// on any member, and with the hash of another member's db.
Status HashKv(CommandContext& context, const HashKvArgs& args) {
  auto keyspace = snapshot::OfflineKeyspace::Open(args.path);
  if (!keyspace.ok()) return keyspace.status();
  auto hash = (*keyspace)->HashKv(args.revision);
  if (!hash.ok()) return hash.status().WithContext(args.path);
  if (IsStructured(context.format)) {
    PrintDocument(*context.out,
                  {{"hash", hash->hash}, {"hashRevision", hash->revision}, {"compactRevision", hash->compact_revision}},
                  context.format);
    return Status::Ok();
  }
  Table table({"HASH", "HASH REVISION", "COMPACT REVISION"});
  table.AddRow({std::to_string(hash->hash), std::to_string(hash->revision), std::to_string(hash->compact_revision)});
  table.Print(*context.out);
  return Status::Ok();
}

struct DiffArgs {
  std::string before, after, prefix = "/registry/";
  DecodingOptions decoding;
};

Status Diff(CommandContext& context, const DiffArgs& args) {
  auto decoder = Decoder::Load(args.decoding);
  if (!decoder.ok()) return decoder.status();
  auto before = snapshot::OfflineKeyspace::Open(args.before);
  if (!before.ok()) return before.status();
  auto after = snapshot::OfflineKeyspace::Open(args.after);
  if (!after.ok()) return after.status();
  auto decode = [&](const mvccpb::KeyValue& kv) {
    std::vector<std::string> warnings;
    bool decoded;
    // No mod revision: the resourceVersion it would add differs in every
    // changed object, one more line of noise each.
    mvccpb::KeyValue stored;
    stored.set_key(kv.key());
    stored.set_value(kv.value());
    return decoder->DecodeOrRaw(stored, &warnings, &decoded);
  };
  const bool structured = IsStructured(context.format);
  Json added = Json::array(), removed = Json::array(), changed = Json::array();
  std::ostream& out = *context.out;
  using Kind = snapshot::KeyDifference::Kind;
  KETCD_RETURN_IF_ERROR(snapshot::DiffKeyspaces(**before, **after, args.prefix, [&](const snapshot::KeyDifference& d) {
    if (d.kind == Kind::kRemoved) {
      removed.push_back(d.before->key());
      if (!structured) out << "- " << d.before->key() << "\n";
    } else if (d.kind == Kind::kAdded) {
      added.push_back(d.after->key());
      if (!structured) out << "+ " << d.after->key() << "\n";
    } else {
      Json patch = Json::diff(decode(*d.before), decode(*d.after));
      changed.push_back({{"key", d.before->key()}, {"changes", patch}});
      if (!structured) {
        out << "~ " << d.before->key() << "\n";
        for (const auto& op : patch) {
          out << "    " << op["op"].get<std::string>() << " " << op["path"].get<std::string>();
          if (op.contains("value")) out << ": " << JsonText(op["value"]).substr(0, 200);
          out << "\n";
        }
      }
    }
    return Status::Ok();
  }));
  if (structured) {
    PrintDocument(out,
                  {{"before", {{"file", args.before}, {"revision", (*before)->current_revision()}}},
                   {"after", {{"file", args.after}, {"revision", (*after)->current_revision()}}},
                   {"added", added},
                   {"removed", removed},
                   {"changed", changed}},
                  context.format);
  } else {
    out << added.size() << " added, " << removed.size() << " removed, " << changed.size()
        << " changed (revision " << (*before)->current_revision() << " -> "
        << (*after)->current_revision() << ")\n";
  }
  return Status::Ok();
}

}  // namespace

Result<restore::RestoreOptions> RestoreOptionsOf(const CommandContext& context, const RestoreArgs& args) {
  restore::RestoreOptions options = args.options;
  options.initial_advertise_peer_urls.clear();
  for (size_t start = 0; start <= args.advertise.size();) {
    size_t end = std::min(args.advertise.find(',', start), args.advertise.size());
    options.initial_advertise_peer_urls.push_back(args.advertise.substr(start, end - start));
    start = end + 1;
  }
  if (args.all_members && args.output_dir.empty()) {
    return InvalidArgument("--all-members needs --output-dir");
  }
  if (!args.all_members && !args.output_dir.empty()) {
    return InvalidArgument("--output-dir goes with --all-members");
  }
  if (options.target_version.empty()) {
    if (auto node = etcd::DiscoverControlPlaneEtcd(context.host_root)) {
      options.node_etcd_version = node->etcd_version;
      options.node_etcd_source = node->source;
    }
  }
  return options;
}

void PrintRestored(CommandContext& context, const std::string& source, const restore::RestoreOptions& options,
                   const restore::RestoreResult& result) {
  if (IsStructured(context.format)) {
    Json members = Json::array();
    for (const auto& restored : result.members) {
      members.push_back({{"name", restored.member.name},
                         {"id", HexId(restored.member.id)},
                         {"peerURLs", restored.member.peer_urls},
                         {"isLearner", restored.member.learner},
                         {"dataDir", restored.data_dir}});
    }
    Json document = {{"clusterId", HexId(result.cluster_id)}, {"members", members}};
    if (!result.saved_storage_version.empty()) {
      document["savedStorageVersion"] = result.saved_storage_version;
      document["storageVersion"] = result.storage_version;
    }
    PrintDocument(*context.out, document, context.format);
    return;
  }
  std::ostream& out = *context.out;
  out << "Restored " << source << " for cluster " << HexId(result.cluster_id) << ":\n";
  for (const auto& restored : result.members) {
    out << "  " << (restored.member.learner ? "learner " : "member ") << restored.member.name
        << " (" << HexId(restored.member.id) << ") -> " << restored.data_dir << "\n";
  }
  const std::string& saved = result.saved_storage_version;
  if (saved != result.storage_version) {
    out << "Storage version " << saved << " migrated to "
        << (result.storage_version.empty() ? "3.5 (field removed)" : result.storage_version)
        << " for etcd " << options.target_version << ", as etcdutl migrate does.\n";
  } else if (!saved.empty()) {
    out << "Storage version " << saved << ": etcd " << saved.substr(0, saved.rfind('.'))
        << " or newer starts from these dirs (--target-version restores for an older one).\n";
  }
  out << "Start each member's etcd with its --data-dir (and its usual --name and URLs); the "
         "membership comes from the data dir.\n";
}

Status RunRestore(CommandContext& context, const RestoreArgs& args) {
  auto options = RestoreOptionsOf(context, args);
  if (!options.ok()) return options.status();
  auto result = args.all_members ? restore::RestoreAllMembers(*options, args.output_dir)
                                 : restore::RestoreMember(*options);
  if (!result.ok()) return result.status();
  PrintRestored(context, options->snapshot_path, *options, *result);
  return Status::Ok();
}

void AddRestoreOptions(CLI::App* restore, RestoreArgs& args) {
  auto& options = args.options;
  restore->add_option("--name", options.name, "This member's name")->capture_default_str();
  restore->add_option("--initial-cluster", options.initial_cluster,
                      "The new cluster: name=peer-url,...")
      ->capture_default_str();
  restore->add_option("--initial-learners", options.learners,
                      "Members of --initial-cluster that join as learners, comma-separated "
                      "(etcdutl makes every member a voter)")
      ->delimiter(',');
  restore->add_option("--target-version", options.target_version,
                      "The etcd version that will run the members (e.g. 3.6): a newer storage "
                      "version in the snapshot is migrated down to it, as etcdutl migrate");
  restore->add_option("--initial-cluster-token", options.initial_cluster_token,
                      "Token of the new cluster (part of every member ID)")
      ->capture_default_str();
  restore->add_option("--initial-advertise-peer-urls", args.advertise,
                      "This member's peer URLs, comma-separated")
      ->capture_default_str();
  restore->add_option("--data-dir", options.data_dir, "Data dir to create (default: NAME.etcd)");
  restore->add_option("--wal-dir", options.wal_dir, "Separate WAL dir to create");
  restore->add_flag("--skip-hash-check", options.skip_hash_check,
                    "Accept a file without (or with a wrong) sha256 trailer, e.g. a member's db");
  restore->add_option("--bump-revision", options.bump_revision,
                      "Raise the revision by N after the snapshot's (needs --mark-compacted)");
  restore->add_flag("--mark-compacted", options.mark_compacted,
                    "Compact up to the bumped revision on start, so watchers re-list");
  restore->add_flag("--all-members", args.all_members,
                    "Restore every member of --initial-cluster, into --output-dir/NAME.etcd");
  restore->add_option("--output-dir", args.output_dir, "Where --all-members writes");
}

void AddSnapshotCommands(CLI::App& app, CommandContext& context) {
  auto* snapshot = app.add_subcommand("snapshot", "Save, inspect, verify and compare snapshots");
  snapshot->require_subcommand(1);
  AddCommand<SaveArgs>(*snapshot, context, "save",
                       "Stream a member's database to FILE (- for stdout); checked, fsynced, then renamed",
                       [](CLI::App& save, SaveArgs& args) {
                         save.add_option("file", args.path, "Destination")->required();
                         save.add_option("--endpoint", args.endpoint,
                                         "Member client URL to snapshot (default: the leader)");
                       },
                       Save);
  auto bind_status = [](CLI::App& status, StatusArgs& args) {
    status.add_option("file", args.path, "Snapshot file")->required();
    status.add_option("--etcdutl-compat", args.compat,
                      "Whose figures: 3.5 (keys of every bucket) or 3.6 (live keys, and the storage version; "
                      "etcdutl 3.6 and 3.7); default: 3.6 for files written by etcd 3.6+, else 3.5")
        ->transform(CLI::CheckedTransformer(std::map<std::string, snapshot::EtcdutlCompat>{
            {"auto", snapshot::EtcdutlCompat::kAuto},
            {"3.5", snapshot::EtcdutlCompat::k35},
            {"3.6", snapshot::EtcdutlCompat::k36},
            {"3.7", snapshot::EtcdutlCompat::k36}}));
  };
  AddCommand<StatusArgs>(*snapshot, context, "status",
                         "Hash, revision, key count and size of a snapshot or db file (as etcdutl)", bind_status,
                         PrintStatus);
  AddCommand<VerifyArgs>(*snapshot, context, "verify",
                         "Check the sha256 trailer, the bbolt structure and every stored revision",
                         [](CLI::App& verify, VerifyArgs& args) {
                           verify.add_option("file", args.path, "Snapshot or db file")->required();
                         },
                         Verify);
  AddCommand<HashKvArgs>(*snapshot, context, "hashkv",
                         "The KV history hash of a snapshot or db file at a revision (as etcdutl hashkv and "
                         "etcd's HashKV)",
                         [](CLI::App& hashkv, HashKvArgs& args) {
                           hashkv.add_option("file", args.path, "Snapshot or db file")->required();
                           hashkv.add_option("--rev", args.revision, "The revision to hash up to (default: the newest)");
                         },
                         HashKv);
  AddCommand<RestoreArgs>(*snapshot, context, "restore",
                          "Build the data dir of a new cluster's member (or all members) from a snapshot",
                          [](CLI::App& restore, RestoreArgs& args) {
                            restore.add_option("file", args.options.snapshot_path, "Snapshot file")->required();
                            AddRestoreOptions(&restore, args);
                          },
                          RunRestore);
  AddCommand<DiffArgs>(*snapshot, context, "diff",
                       "Objects added, removed and changed between two snapshots, field by field",
                       [](CLI::App& diff, DiffArgs& args) {
                         diff.add_option("before", args.before, "The older snapshot")->required();
                         diff.add_option("after", args.after, "The newer snapshot")->required();
                         diff.add_option("--prefix", args.prefix, "Only keys under this prefix")
                             ->capture_default_str();
                         AddDecodingOptions(&diff, args.decoding);
                       },
                       Diff);
}

}  // namespace ketcd::cli
