// ketcd ls [PREFIX] and ketcd stats: what the keyspace holds, per resource
// (and per namespace with ls --namespaces), and what fills the database.
// Both stream the range page by page; only the totals stay in memory.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/keyspace_source.h"
#include "cli/stats_report.h"
#include "etcd/range_pager.h"
#include "etcd/status_fields.h"
#include "k8s/keyspace_totals.h"
#include "k8s/registry_key.h"
#include "k8s/resource_prefix.h"
#include "snapshot/live_keys.h"
#include "snapshot/offline_keyspace.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

using k8s::KeyspaceTotals;
using k8s::KeyTotals;

// Offline, keys and value sizes come from one walk of the file without a
// value being read, in no particular order (the totals do not depend on
// it), and with `old_revisions` so do the revisions a compaction would
// free; online, the range streams page by page (etcd lists no old
// revisions).
Status Scan(const Keyspace& keyspace, KeyspaceTotals& totals, const std::string& prefix, int64_t* revision,
            bool old_revisions = false) {
  const snapshot::KeyScope range = snapshot::KeyScope::Prefix(prefix);
  if (keyspace.offline != nullptr) {
    using snapshot::LiveKey;
    *revision = keyspace.offline->current_revision();
    auto bytes = [](const LiveKey& entry) { return static_cast<int64_t>(entry.key.size()) + entry.value_bytes; };
    std::function<void(const LiveKey&)> on_old;
    if (old_revisions) on_old = [&](const LiveKey& old) { totals.AddOldRevision(old.key, bytes(old)); };
    return snapshot::ForEachLiveKey(
        keyspace.offline->file().db, range, [&](const LiveKey& live) { totals.Add(live.key, bytes(live)); }, on_old);
  }
  etcd::pb::RangeRequest request;
  request.set_key(range.start);
  request.set_range_end(range.end);
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
  std::string html;         // stats --html FILE
  int64_t quota_bytes = 0;  // stats --quota-bytes; 0: as etcd reports it, else its default
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

// With `with_old_revisions`, also the resources that hold nothing but
// old revisions (counted as holding no objects).
std::vector<Named> NamedResources(const KeyspaceTotals& scan, const std::string& prefix,
                                  bool with_old_revisions = false) {
  const bool registry_root = prefix.size() > 2 && prefix.front() == '/' && prefix.back() == '/' &&
                             std::count(prefix.begin(), prefix.end(), '/') == 2;
  std::vector<Named> named;
  auto add = [&](const std::string& resource, const KeyTotals& totals) {
    named.push_back({registry_root ? k8s::KubectlResourceName(resource) : resource, prefix + resource + "/",
                     &resource, &totals});
  };
  for (const auto& [resource, totals] : scan.by_resource()) add(resource, totals);
  static const KeyTotals kNone;
  if (with_old_revisions) {
    for (const auto& [resource, totals] : scan.old_revisions_by_resource()) {
      if (!scan.by_resource().contains(resource)) add(resource, kNone);
    }
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
  return DatabaseSize{status->dbsize(), status->dbsizeinuse(), etcd::ReadStatusFieldsSince36(*status).db_size_quota};
}

// etcd's --quota-backend-bytes when not set.
constexpr int64_t kEtcdDefaultQuota = int64_t{2} << 30;

Json Figures(const KeyTotals& totals) { return {{"objects", totals.objects}, {"bytes", totals.bytes}}; }

std::string SourceOf(const CommandContext& context, const KeyspaceSource& source) {
  if (!source.snapshot.empty()) return "snapshot " + source.snapshot;
  if (!source.data_dir.empty()) return "data dir " + source.data_dir;
  std::string endpoints;
  if (auto connection = context.Connection(); connection.ok()) {
    for (const auto& endpoint : connection->config.endpoints) AppendToList(endpoints, endpoint, ", ");
  }
  return "etcd at " + endpoints;
}

// What `stats` found: what its JSON, its text and its report show.
struct StatsFigures {
  StatsFigures(const std::string& prefix, size_t keep_largest) : scan(prefix, keep_largest) {}

  KeyspaceTotals scan;
  int64_t revision = 0;
  bool offline = false;  // read from a file: old revisions counted
  std::vector<k8s::LargeObject> largest;  // largest first: the top ones, and more for a report's map
  size_t top = 0;                         // how many of them the tables show
  std::vector<Named> resources;           // largest first
  std::optional<DatabaseSize> size;
  int64_t quota = 0;  // 0: not known

  KeyTotals OldRevisionsOf(const Named& resource) const {
    auto found = scan.old_revisions_by_resource().find(*resource.resource);
    return found == scan.old_revisions_by_resource().end() ? KeyTotals{} : found->second;
  }
};

// The document `stats -o json` prints.
Json StatsDocument(const StatsFigures& figures) {
  const KeyspaceTotals& scan = figures.scan;
  Json doc = {{"revision", figures.revision}, {"objects", scan.all().objects}, {"bytes", scan.all().bytes}};
  if (figures.offline) doc["oldRevisions"] = Figures(scan.old_revisions());
  if (figures.size) {
    doc["dbSize"] = figures.size->total;
    doc["dbSizeInUse"] = figures.size->in_use;
  }
  if (figures.quota > 0) doc["dbSizeQuota"] = figures.quota;
  Json resources = Json::array();
  for (const Named& resource : figures.resources) {
    Json entry = {{"resource", resource.name},
                  {"prefix", resource.prefix},
                  {"objects", resource.totals->objects},
                  {"bytes", resource.totals->bytes}};
    if (figures.offline) entry["oldRevisions"] = Figures(figures.OldRevisionsOf(resource));
    resources.push_back(entry);
  }
  Json largest = Json::array();
  for (size_t i = 0; i < figures.top; ++i) {
    largest.push_back({{"key", figures.largest[i].key}, {"bytes", figures.largest[i].bytes}});
  }
  doc["resources"] = resources;
  doc["largest"] = largest;
  return doc;
}

// `stats --html FILE`: the document, each resource with its namespaces and
// largest objects for the map.
Status WriteReport(const CommandContext& context, const KeyspaceArgs& args, const StatsFigures& figures) {
  Json doc = StatsDocument(figures);
  std::map<std::string_view, std::vector<const k8s::LargeObject*>> objects_of;
  for (const auto& object : figures.largest) {
    objects_of[k8s::ParseRegistryKey(object.key, args.prefix).resource].push_back(&object);
  }
  static const std::map<std::string, KeyTotals> kNoNamespaces;
  for (size_t i = 0; i < figures.resources.size(); ++i) {
    const std::string& resource = *figures.resources[i].resource;
    auto namespaces = figures.scan.by_namespace().find(resource);
    doc["resources"][i]["namespaces"] = MapNamespaces(
        args.prefix, namespaces == figures.scan.by_namespace().end() ? kNoNamespaces : namespaces->second,
        objects_of[resource]);
  }
  doc["source"] = SourceOf(context, args.source);
  if (figures.quota == 0) {
    doc["dbSizeQuota"] = kEtcdDefaultQuota;
    doc["quotaAssumed"] = true;
  }
  KETCD_RETURN_IF_ERROR(WriteStatsReport(args.html, doc));
  *context.err << "ketcd: wrote the report to " << args.html << "\n";
  return Status::Ok();
}

void PrintStats(std::ostream& out, const StatsFigures& figures, bool wide) {
  const KeyspaceTotals& scan = figures.scan;
  out << "revision " << figures.revision << ", " << scan.all().objects << " keys, " << HumanBytes(scan.all().bytes)
      << " of keys and values";
  if (figures.offline) {
    out << "; " << scan.old_revisions().objects << " old revisions, " << HumanBytes(scan.old_revisions().bytes)
        << " (compaction would free)";
  }
  if (figures.size) {
    out << "; database " << HumanBytes(figures.size->total) << ", " << HumanBytes(figures.size->in_use)
        << " in use (defrag would free " << HumanBytes(figures.size->total - figures.size->in_use) << ")";
  }
  if (figures.quota > 0) out << ", quota " << HumanBytes(figures.quota);
  out << "\n\n";
  std::vector<std::vector<std::string>> by_size = {{"RESOURCE", "OBJECTS", "SIZE", "SHARE"}};
  std::vector<bool> right_aligned = {false, true, true, true};
  if (figures.offline) {
    by_size[0].insert(by_size[0].end(), {"OLD REVISIONS", "THEIR SIZE"});
    right_aligned.insert(right_aligned.end(), {true, true});
  }
  if (wide) by_size[0].push_back("PREFIX");
  for (const Named& resource : figures.resources) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%",
                  scan.all().bytes ? 100.0 * static_cast<double>(resource.totals->bytes) / scan.all().bytes : 0.0);
    by_size.push_back({resource.name, std::to_string(resource.totals->objects), HumanBytes(resource.totals->bytes),
                       share});
    if (figures.offline) {
      const KeyTotals old = figures.OldRevisionsOf(resource);
      by_size.back().insert(by_size.back().end(), {std::to_string(old.objects), HumanBytes(old.bytes)});
    }
    if (wide) by_size.back().push_back(resource.prefix);
  }
  PrintColumns(out, by_size, right_aligned);
  out << "\n";
  std::vector<std::vector<std::string>> top_table = {{"LARGEST OBJECT", "SIZE"}};
  for (size_t i = 0; i < figures.top; ++i) {
    top_table.push_back({figures.largest[i].key, HumanBytes(figures.largest[i].bytes)});
  }
  PrintColumns(out, top_table, {false, true});
}

Status Stats(CommandContext& context, const KeyspaceArgs& args) {
  auto keyspace = OpenKeyspace(context, args.source);
  if (!keyspace.ok()) return keyspace.status();
  const bool report = !args.html.empty();
  StatsFigures figures(args.prefix, report ? std::max(args.top, kReportMapObjects) : args.top);
  // Old revisions are counted where the file shows them.
  figures.offline = keyspace->offline != nullptr;
  KETCD_RETURN_IF_ERROR(Scan(*keyspace, figures.scan, args.prefix, &figures.revision, figures.offline));
  figures.largest = figures.scan.Largest();
  figures.top = std::min(args.top, figures.largest.size());
  figures.resources = NamedResources(figures.scan, args.prefix, figures.offline);
  std::stable_sort(figures.resources.begin(), figures.resources.end(),
                   [](const Named& a, const Named& b) { return a.totals->bytes > b.totals->bytes; });
  figures.size = SizeOf(*keyspace);
  figures.quota = args.quota_bytes > 0 ? args.quota_bytes : figures.size ? figures.size->quota : 0;
  if (report) KETCD_RETURN_IF_ERROR(WriteReport(context, args, figures));
  if (IsStructured(context.format)) {
    PrintDocument(*context.out, StatsDocument(figures), context.format);
  } else {
    PrintStats(*context.out, figures, Wide(context));
  }
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
                             stats.add_option("--html", args.html,
                                              "Also write a report to FILE: one HTML page (opens from disk) "
                                              "with a zoomable map of bytes by resource, namespace and object");
                             stats.add_option("--quota-bytes", args.quota_bytes,
                                              "The database quota to compare against (default: as etcd 3.6+ "
                                              "reports it; the report assumes etcd's default 2 GiB)");
                             AddKeyspaceSourceOptions(&stats, args.source);
                           },
                           Stats);
}

}  // namespace ketcd::cli
