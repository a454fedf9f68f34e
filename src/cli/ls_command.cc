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
#include "k8s/resource_prefix.h"
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

// A resource as the tables show it: under a registry root ("/registry/")
// by the name `get` takes ("nodes" for "minions"), elsewhere by its first
// key segment; with the key prefix its objects are stored under.
struct Named {
  std::string name;
  std::string prefix;
  const std::string* resource;  // the totals' key
  const KeyTotals* totals;
};

std::vector<Named> NamedResources(const KeyspaceTotals& scan, const std::string& prefix) {
  const bool registry_root = prefix.size() > 2 && prefix.front() == '/' && prefix.back() == '/' &&
                             std::count(prefix.begin(), prefix.end(), '/') == 2;
  std::vector<Named> named;
  for (const auto& [resource, totals] : scan.by_resource()) {
    named.push_back({registry_root ? k8s::KubectlResourceName(resource) : resource, prefix + resource + "/",
                     &resource, &totals});
  }
  std::sort(named.begin(), named.end(), [](const Named& a, const Named& b) { return a.name < b.name; });
  return named;
}

bool Wide(const CommandContext& context) { return context.output == "wide"; }

Status List(CommandContext& context, const KeyspaceArgs& args) {
  auto keyspace = OpenKeyspace(context, args.source);
  if (!keyspace.ok()) return keyspace.status();
  KeyspaceTotals scan(args.prefix, 0);
  int64_t revision = 0;
  KETCD_RETURN_IF_ERROR(Scan(*keyspace, scan, args.prefix, &revision));
  const std::vector<Named> resources = NamedResources(scan, args.prefix);
  if (IsStructured(context.format)) {
    Json entries = Json::array();
    for (const Named& resource : resources) {
      Json entry = {{"resource", resource.name},
                    {"prefix", resource.prefix},
                    {"objects", resource.totals->objects},
                    {"bytes", resource.totals->bytes}};
      if (args.namespaces) {
        Json by_ns = Json::object();
        for (const auto& [ns, t] : scan.by_namespace().at(*resource.resource)) {
          by_ns[ns.empty() ? "(cluster)" : ns] = {{"objects", t.objects}, {"bytes", t.bytes}};
        }
        entry["namespaces"] = by_ns;
      }
      entries.push_back(entry);
    }
    PrintDocument(*context.out, {{"revision", revision}, {"resources", entries}}, context.format);
    return Status::Ok();
  }
  // RESOURCE [NAMESPACE] OBJECTS SIZE [PREFIX]
  const bool wide = Wide(context);
  auto row = [&](std::string name, std::string ns, const KeyTotals& totals, std::string prefix) {
    std::vector<std::string> cells = {std::move(name)};
    if (args.namespaces) cells.push_back(std::move(ns));
    cells.insert(cells.end(), {std::to_string(totals.objects), HumanBytes(totals.bytes)});
    if (wide) cells.push_back(std::move(prefix));
    return cells;
  };
  std::vector<std::string> header = {"RESOURCE"};
  std::vector<bool> right_aligned = {false};
  if (args.namespaces) {
    header.push_back("NAMESPACE");
    right_aligned.push_back(false);
  }
  header.insert(header.end(), {"OBJECTS", "SIZE"});
  right_aligned.insert(right_aligned.end(), {true, true});
  if (wide) header.push_back("PREFIX");
  std::vector<std::vector<std::string>> table = {header};
  for (const Named& resource : resources) {
    table.push_back(row(resource.name, "", *resource.totals, resource.prefix));
    if (!args.namespaces) continue;
    for (const auto& [ns, t] : scan.by_namespace().at(*resource.resource)) {
      if (!ns.empty()) table.push_back(row("", ns, t, resource.prefix + ns + "/"));
    }
  }
  table.push_back(row("TOTAL", "", scan.all(), ""));
  PrintColumns(*context.out, table, right_aligned);
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
  std::vector<Named> resources = NamedResources(scan, args.prefix);
  std::stable_sort(resources.begin(), resources.end(),
                   [](const Named& a, const Named& b) { return a.totals->bytes > b.totals->bytes; });
  const std::optional<DatabaseSize> size = SizeOf(*keyspace);
  if (IsStructured(context.format)) {
    Json doc = {
        {"revision", revision}, {"objects", scan.all().objects}, {"bytes", scan.all().bytes}};
    if (size) {
      doc["dbSize"] = size->total;
      doc["dbSizeInUse"] = size->in_use;
    }
    Json by_resource = Json::array();
    for (const Named& resource : resources) {
      by_resource.push_back({{"resource", resource.name},
                             {"prefix", resource.prefix},
                             {"objects", resource.totals->objects},
                             {"bytes", resource.totals->bytes}});
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
  const bool wide = Wide(context);
  std::vector<std::vector<std::string>> by_size = {{"RESOURCE", "OBJECTS", "SIZE", "SHARE"}};
  if (wide) by_size[0].push_back("PREFIX");
  for (const Named& resource : resources) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%",
                  scan.all().bytes ? 100.0 * static_cast<double>(resource.totals->bytes) / scan.all().bytes : 0.0);
    by_size.push_back({resource.name, std::to_string(resource.totals->objects), HumanBytes(resource.totals->bytes),
                       share});
    if (wide) by_size.back().push_back(resource.prefix);
  }
  PrintColumns(out, by_size, {false, true, true, true});
  out << "\n";
  std::vector<std::vector<std::string>> top_table = {{"LARGEST OBJECT", "SIZE"}};
  for (const auto& object : largest) top_table.push_back({object.key, HumanBytes(object.bytes)});
  PrintColumns(out, top_table, {false, true});
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
