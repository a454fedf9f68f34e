// ketcd ls [PREFIX] and ketcd stats: what the keyspace holds, per resource
// (and per namespace with ls --namespaces), and what fills the database.
// Both stream the range page by page; only the totals stay in memory.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <queue>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "cli/keyspace_source.h"
#include "etcd/range_pager.h"
#include "k8s/registry_key.h"
#include "snapshot/offline_keyspace.h"

namespace ketcd::cli {
namespace {

struct Totals {
  int64_t objects = 0;
  int64_t bytes = 0;  // key + value, as etcd stores them
};

struct LargeObject {
  int64_t bytes;
  std::string key;
  bool operator>(const LargeObject& other) const { return bytes > other.bytes; }
};

struct KeyspaceScan {
  std::map<std::string, Totals> by_resource;
  std::map<std::string, std::map<std::string, Totals>> by_namespace;  // resource -> ns
  // The largest objects, smallest on top so it can be trimmed.
  std::priority_queue<LargeObject, std::vector<LargeObject>, std::greater<>> largest;
  Totals all;
  int64_t revision = 0;
};

// Adds keys to the totals. Keys come in key order, so most share the
// previous key's resource and namespace: their totals are looked up once.
class Counter {
 public:
  Counter(const std::string& prefix, size_t keep_largest, KeyspaceScan& scan)
      : prefix_(prefix), keep_largest_(keep_largest), scan_(scan) {}

  void Add(std::string_view key, int64_t bytes) {
    // A key right under the previous key's namespace ("/registry/pods/ns/")
    // belongs to the same resource and namespace: no need to parse it.
    const bool same_namespace = !namespace_path_.empty() && key.size() > namespace_path_.size() &&
                                key.compare(0, namespace_path_.size(), namespace_path_) == 0 &&
                                key.find('/', namespace_path_.size()) == std::string_view::npos;
    if (!same_namespace) {
      auto parsed = k8s::ParseRegistryKey(key, prefix_);
      namespace_path_.clear();
      if (!parsed.namespace_.empty()) {
        namespace_path_ = key.substr(0, static_cast<size_t>(parsed.namespace_.data() - key.data()) +
                                            parsed.namespace_.size() + 1);
      }
      if (resource_ == nullptr || parsed.resource != resource_name_ || parsed.namespace_ != namespace_name_) {
        resource_name_ = parsed.resource;
        namespace_name_ = parsed.namespace_;
        resource_ = &scan_.by_resource[resource_name_];
        namespace_ = &scan_.by_namespace[resource_name_][namespace_name_];
      }
    }
    for (Totals* totals : {resource_, namespace_, &scan_.all}) {
      totals->objects += 1;
      totals->bytes += bytes;
    }
    if (keep_largest_ > 0 && (scan_.largest.size() < keep_largest_ || bytes > scan_.largest.top().bytes)) {
      scan_.largest.push({bytes, std::string(key)});
      if (scan_.largest.size() > keep_largest_) scan_.largest.pop();
    }
  }

 private:
  const std::string& prefix_;
  const size_t keep_largest_;
  KeyspaceScan& scan_;
  std::string resource_name_, namespace_name_;
  std::string namespace_path_;  // of the last key parsed, through the "/" after its namespace
  Totals* resource_ = nullptr;
  Totals* namespace_ = nullptr;
};

// Offline, keys and value sizes come from the snapshot's index without a
// value being read; online, the range streams page by page.
Status Scan(const Keyspace& keyspace, const std::string& prefix, size_t keep_largest,
            KeyspaceScan& scan) {
  const std::string start = prefix.empty() ? std::string(1, '\0') : prefix;
  const std::string end = prefix.empty() ? std::string(1, '\0') : etcd::PrefixRangeEnd(prefix);
  Counter counter(prefix, keep_largest, scan);
  if (keyspace.offline != nullptr) {
    scan.revision = keyspace.offline->current_revision();
    keyspace.offline->ForEachLiveKey(start, end, [&](const snapshot::OfflineKeyspace::LiveKey& live) {
      counter.Add(live.key, static_cast<int64_t>(live.key.size()) + live.value_bytes);
    });
    return Status::Ok();
  }
  etcd::pb::RangeRequest request;
  request.set_key(start);
  request.set_range_end(end);
  return etcd::ReadRangeInPages(
      *keyspace.reader, request, ObjectPageSizing(), [&](const etcd::RangePage& page) {
        if (page.first) scan.revision = page.response.header().revision();
        for (const auto& kv : page.response.kvs()) {
          counter.Add(kv.key(), static_cast<int64_t>(kv.key().size() + kv.value().size()));
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
  KeyspaceScan scan;
  KETCD_RETURN_IF_ERROR(Scan(*keyspace, args.prefix, 0, scan));
  if (IsStructured(context.format)) {
    Json resources = Json::array();
    for (const auto& [resource, totals] : scan.by_resource) {
      Json entry = {{"resource", resource}, {"objects", totals.objects}, {"bytes", totals.bytes}};
      if (args.namespaces) {
        Json by_ns = Json::object();
        for (const auto& [ns, t] : scan.by_namespace[resource]) {
          by_ns[ns.empty() ? "(cluster)" : ns] = {{"objects", t.objects}, {"bytes", t.bytes}};
        }
        entry["namespaces"] = by_ns;
      }
      resources.push_back(entry);
    }
    PrintDocument(*context.out, {{"revision", scan.revision}, {"resources", resources}},
                  context.format);
    return Status::Ok();
  }
  Table table({"RESOURCE", "NAMESPACE", "OBJECTS", "SIZE"});
  for (const auto& [resource, totals] : scan.by_resource) {
    table.AddRow({resource, "", std::to_string(totals.objects), HumanBytes(totals.bytes)});
    if (!args.namespaces) continue;
    for (const auto& [ns, t] : scan.by_namespace[resource]) {
      if (ns.empty()) continue;
      table.AddRow({"", ns, std::to_string(t.objects), HumanBytes(t.bytes)});
    }
  }
  table.AddRow({"TOTAL", "", std::to_string(scan.all.objects), HumanBytes(scan.all.bytes)});
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
  KeyspaceScan scan;
  KETCD_RETURN_IF_ERROR(Scan(*keyspace, args.prefix, args.top, scan));
  std::vector<LargeObject> largest;
  while (!scan.largest.empty()) {
    largest.push_back(scan.largest.top());
    scan.largest.pop();
  }
  std::reverse(largest.begin(), largest.end());
  std::vector<std::pair<std::string, Totals>> resources(scan.by_resource.begin(),
                                                        scan.by_resource.end());
  std::sort(resources.begin(), resources.end(),
            [](const auto& a, const auto& b) { return a.second.bytes > b.second.bytes; });
  const std::optional<DatabaseSize> size = SizeOf(*keyspace);
  if (IsStructured(context.format)) {
    Json doc = {
        {"revision", scan.revision}, {"objects", scan.all.objects}, {"bytes", scan.all.bytes}};
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
  out << "revision " << scan.revision << ", " << scan.all.objects << " keys, "
      << HumanBytes(scan.all.bytes) << " of keys and values";
  if (size) {
    out << "; database " << HumanBytes(size->total) << ", " << HumanBytes(size->in_use)
        << " in use (defrag would free " << HumanBytes(size->total - size->in_use) << ")";
  }
  out << "\n\n";
  Table by_size({"RESOURCE", "OBJECTS", "SIZE", "SHARE"});
  for (const auto& [resource, t] : resources) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%",
                  scan.all.bytes ? 100.0 * static_cast<double>(t.bytes) / scan.all.bytes : 0.0);
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
