// ketcd ls [PREFIX] and ketcd stats: what the keyspace holds, per resource
// (and per namespace with ls --namespaces), and what fills the database.
// Both stream the range page by page; only the totals stay in memory.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/keyspace_source.h"
#include "etcd/range_pager.h"
#include "k8s/keyspace_totals.h"
#include "snapshot/offline_keyspace.h"

namespace ketcd::cli {
namespace {

using k8s::KeyspaceTotals;
using k8s::KeyTotals;

// Offline, keys and value sizes come from the snapshot's index without a
// value being read, in no particular order (the totals do not depend on
// it); online, the range streams page by page.
Status Scan(const Keyspace& keyspace, KeyspaceTotals& totals, const std::string& prefix, int64_t* revision) {
  const std::string start = prefix.empty() ? std::string(1, '\0') : prefix;
  const std::string end = prefix.empty() ? std::string(1, '\0') : etcd::PrefixRangeEnd(prefix);
  if (keyspace.offline != nullptr) {
    *revision = keyspace.offline->current_revision();
    keyspace.offline->ForEachLiveKeyUnordered(start, end, [&](const snapshot::OfflineKeyspace::LiveKey& live) {
      totals.Add(live.key, static_cast<int64_t>(live.key.size()) + live.value_bytes);
    });
    return Status::Ok();
  }
  etcd::pb::RangeRequest request;
  request.set_key(start);
  request.set_range_end(end);
  return etcd::ReadRangeInPages(
      *keyspace.reader, request, ObjectPageSizing(), [&](const etcd::RangePage& page) {
        if (page.first) *revision = page.response.header().revision();
        for (const auto& kv : page.response.kvs()) {
          totals.Add(kv.key(), static_cast<int64_t>(kv.key().size() + kv.value().size()));
        }
        return Status::Ok();
      });
}

struct KeyspaceArgs {
  std::string prefix = "/registry/";
  bool namespaces = false;
  size_t top = 10;
  KeyspaceSource source;
};

Status List(CommandContext& context, const KeyspaceArgs& args) {
  auto keyspace = OpenKeyspace(context, args.source);
  if (!keyspace.ok()) return keyspace.status();
  KeyspaceTotals scan(args.prefix, 0);
  int64_t revision = 0;
  KETCD_RETURN_IF_ERROR(Scan(*keyspace, scan, args.prefix, &revision));
  if (IsStructured(context.format)) {
    Json resources = Json::array();
    for (const auto& [resource, totals] : scan.by_resource()) {
      Json entry = {{"resource", resource}, {"objects", totals.objects}, {"bytes", totals.bytes}};
      if (args.namespaces) {
        Json by_ns = Json::object();
        for (const auto& [ns, t] : scan.by_namespace().at(resource)) {
          by_ns[ns.empty() ? "(cluster)" : ns] = {{"objects", t.objects}, {"bytes", t.bytes}};
        }
        entry["namespaces"] = by_ns;
      }
      resources.push_back(entry);
    }
    PrintDocument(*context.out, {{"revision", revision}, {"resources", resources}},
                  context.format);
    return Status::Ok();
  }
  Table table({"RESOURCE", "NAMESPACE", "OBJECTS", "SIZE"});
  for (const auto& [resource, totals] : scan.by_resource()) {
    table.AddRow({resource, "", std::to_string(totals.objects), HumanBytes(totals.bytes)});
    if (!args.namespaces) continue;
    for (const auto& [ns, t] : scan.by_namespace().at(resource)) {
      if (ns.empty()) continue;
      table.AddRow({"", ns, std::to_string(t.objects), HumanBytes(t.bytes)});
    }
  }
  table.AddRow({"TOTAL", "", std::to_string(scan.all().objects), HumanBytes(scan.all().bytes)});
  table.Print(*context.out);
  return Status::Ok();
}

// The database's size from the file read offline, or from the first member
// that answers.
std::optional<DatabaseSize> SizeOf(const Keyspace& keyspace) {
  if (keyspace.offline_size) return keyspace.offline_size;
  auto status = keyspace.client->EndpointStatus(0);
  if (!status.ok()) return std::nullopt;
  return DatabaseSize{status->dbsize(), status->dbsizeinuse()};
}

Status Stats(CommandContext& context, const KeyspaceArgs& args) {
  auto keyspace = OpenKeyspace(context, args.source);
  if (!keyspace.ok()) return keyspace.status();
  KeyspaceTotals scan(args.prefix, args.top);
  int64_t revision = 0;
  KETCD_RETURN_IF_ERROR(Scan(*keyspace, scan, args.prefix, &revision));
  const std::vector<k8s::LargeObject> largest = scan.Largest();
  std::vector<std::pair<std::string, KeyTotals>> resources(scan.by_resource().begin(), scan.by_resource().end());
  std::sort(resources.begin(), resources.end(),
            [](const auto& a, const auto& b) { return a.second.bytes > b.second.bytes; });
  const std::optional<DatabaseSize> size = SizeOf(*keyspace);
  if (IsStructured(context.format)) {
    Json doc = {
        {"revision", revision}, {"objects", scan.all().objects}, {"bytes", scan.all().bytes}};
    if (size) {
      doc["dbSize"] = size->total;
      doc["dbSizeInUse"] = size->in_use;
    }
    Json by_resource = Json::array();
    for (const auto& [resource, t] : resources) {
      by_resource.push_back({{"resource", resource}, {"objects", t.objects}, {"bytes", t.bytes}});
    }
    Json top_objects = Json::array();
    for (const auto& object : largest) {
      top_objects.push_back({{"key", object.key}, {"bytes", object.bytes}});
    }
    doc["resources"] = by_resource;
    doc["largest"] = top_objects;
    PrintDocument(*context.out, doc, context.format);
    return Status::Ok();
  }
  std::ostream& out = *context.out;
  out << "revision " << revision << ", " << scan.all().objects << " keys, " << HumanBytes(scan.all().bytes)
      << " of keys and values";
  if (size) {
    out << "; database " << HumanBytes(size->total) << ", " << HumanBytes(size->in_use)
        << " in use (defrag would free " << HumanBytes(size->total - size->in_use) << ")";
  }
  out << "\n\n";
  Table by_size({"RESOURCE", "OBJECTS", "SIZE", "SHARE"});
  for (const auto& [resource, t] : resources) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%",
                  scan.all().bytes ? 100.0 * static_cast<double>(t.bytes) / scan.all().bytes : 0.0);
    by_size.AddRow({resource, std::to_string(t.objects), HumanBytes(t.bytes), share});
  }
  by_size.Print(out);
  out << "\n";
  Table top_table({"LARGEST OBJECT", "SIZE"});
  for (const auto& object : largest) top_table.AddRow({object.key, HumanBytes(object.bytes)});
  top_table.Print(out);
  return Status::Ok();
}

}  // namespace

void AddKeyspaceCommands(CLI::App& app, CommandContext& context) {
  AddCommand<KeyspaceArgs>(app, context, "ls", "Resources under a prefix with object counts and sizes",
                           [](CLI::App& ls, KeyspaceArgs& args) {
                             ls.add_option("prefix", args.prefix, "Key prefix")->capture_default_str();
                             ls.add_flag("--namespaces", args.namespaces, "Break each resource down by namespace");
                             AddKeyspaceSourceOptions(&ls, args.source);
                           },
                           List);
  AddCommand<KeyspaceArgs>(app, context, "stats",
                           "What fills the database: sizes per resource, largest objects, database size and "
                           "fragmentation",
                           [](CLI::App& stats, KeyspaceArgs& args) {
                             stats.add_option("prefix", args.prefix, "Key prefix")->capture_default_str();
                             stats.add_option("--top", args.top, "How many of the largest objects to show")
                                 ->capture_default_str();
                             AddKeyspaceSourceOptions(&stats, args.source);
                           },
                           Stats);
}

}  // namespace ketcd::cli
