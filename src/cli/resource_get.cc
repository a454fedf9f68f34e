#include "cli/resource_get.h"

#include <chrono>
#include <cstdio>

#include "cli/list_output.h"
#include "cli/page_decoder.h"
#include "etcd/range_pager.h"
#include "k8s/object_encoder.h"
#include "k8s/resource_prefix.h"
#include "util/json_text.h"

namespace ketcd::cli {
namespace {

// What a table row shows of one object.
struct Row {
  std::string key;
  std::string namespace_;  // empty: cluster-scoped
  int64_t mod_revision = 0;
  size_t bytes = 0;
  std::string name;
  std::string creation_timestamp;  // RFC 3339, empty when unknown
};

// The keys a query reads: [start, end) ("" = the single key start), those
// whose part after the resource prefix `keep` accepts.
struct KeyRange {
  std::string start, end;
  std::function<bool(std::string_view rest)> keep;
  // Keep accepts few of the range's keys: look at keys alone first.
  bool probe_keys = false;
};

etcd::pb::RangeRequest RequestFor(const KeyRange& range, int64_t revision) {
  etcd::pb::RangeRequest request;
  request.set_key(range.start);
  request.set_range_end(range.end);
  request.set_revision(revision);
  return request;
}

// Reads a range at the query's revision page by page.
Status ReadPages(etcd::RangeReader& reader, const KeyRange& range, int64_t revision,
                 const std::function<Status(etcd::pb::RangeResponse&&)>& on_page) {
  return etcd::ReadRangeInPages(reader, RequestFor(range, revision), etcd::PageSizing(),
                                [&](const etcd::RangePage& page) { return on_page(std::move(page.response)); });
}

// A decoder still loading, waited for once.
class PendingDecoder {
 public:
  explicit PendingDecoder(std::future<Result<Decoder>> loading) : loading_(std::move(loading)) {}
  Result<const Decoder*> Get() {
    if (loading_.valid()) {
      auto loaded = loading_.get();
      if (loaded.ok()) {
        decoder_ = std::move(*loaded);
      } else {
        error_ = loaded.status();
      }
    }
    if (!error_.ok()) return error_;
    return &*decoder_;
  }

 private:
  std::future<Result<Decoder>> loading_;
  std::optional<Decoder> decoder_;
  Status error_ = Status::Ok();
};

// Whether a range probed by key holds any key it keeps (or is not probed):
// a namespace without objects must not read every value of the resource
// to learn that it is not cluster-scoped.
Result<bool> MayHoldObjects(etcd::RangeReader& reader, const std::string& prefix, const KeyRange& range,
                            int64_t revision) {
  if (!range.probe_keys) return true;
  etcd::pb::RangeRequest request = RequestFor(range, revision);
  request.set_keys_only(true);
  bool found = false;
  KETCD_RETURN_IF_ERROR(etcd::ReadRangeInPages(reader, request, etcd::PageSizing(), [&](const etcd::RangePage& page) {
    for (const auto& kv : page.response.kvs()) {
      found = found || range.keep(std::string_view(kv.key()).substr(prefix.size()));
    }
    return Status::Ok();
  }));
  return found;
}

// A table row, from the object's identity read straight from its bytes, or
// from the decoded object where only decoding can tell.
Row RowOf(const Decoder& decoder, const std::string& prefix, const mvccpb::KeyValue& kv, std::ostream& err) {
  const std::string_view rest = std::string_view(kv.key()).substr(prefix.size());
  const size_t slash = rest.find('/');
  Row row{kv.key(), slash == std::string_view::npos ? "" : std::string(rest.substr(0, slash)),
          kv.mod_revision(), kv.key().size() + kv.value().size(), "", ""};
  k8s::ObjectIdentity identity;
  if (decoder.TryReadIdentity(kv.value(), &identity)) {
    row.name = identity.name;
    row.creation_timestamp = identity.creation_timestamp;
  } else {
    std::vector<std::string> warnings;
    bool decoded;
    const Json object = decoder.DecodeOrRaw(kv, &warnings, &decoded);
    // Not decoded (encrypted without --encryption-config, corrupt): its
    // raw record is printed; say why.
    if (!decoded) warnings.push_back(object.value("ketcd.error", "not decoded"));
    for (const auto& warning : warnings) err << "ketcd: warning: " << kv.key() << ": " << warning << "\n";
    const Json& meta = object.contains("metadata") ? object["metadata"] : Json::object();
    if (meta.is_object() && meta.contains("name") && meta["name"].is_string()) row.name = meta["name"];
    if (meta.is_object() && meta.contains("creationTimestamp") && meta["creationTimestamp"].is_string()) {
      row.creation_timestamp = meta["creationTimestamp"];
    }
  }
  if (row.name.empty()) row.name = row.key.substr(row.key.rfind('/') + 1);
  return row;
}

std::string AgeOf(const Row& row) {
  int64_t seconds;
  int32_t nanos;
  if (row.creation_timestamp.empty() || !k8s::ParseRfc3339(row.creation_timestamp, &seconds, &nanos)) {
    return "<unknown>";
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return HumanAge(std::chrono::seconds(std::max<int64_t>(0, now - seconds)));
}

}  // namespace

std::string HumanAge(std::chrono::seconds age) {
  // k8s.io/apimachinery/pkg/util/duration.HumanDuration's steps: one unit,
  // or two where the smaller still matters ("3m12s", "5h7m", "5d8h").
  const long long s = age.count(), m = s / 60, h = m / 60, d = h / 24, y = d / 365;
  auto units = [](long long major, const char* major_unit, long long minor = 0,
                  const char* minor_unit = "") {
    std::string text = std::to_string(major) + major_unit;
    if (minor != 0) text += std::to_string(minor) + minor_unit;
    return text;
  };
  if (s < 120) return units(s, "s");
  if (m < 10) return units(m, "m", s % 60, "s");
  if (m < 180) return units(m, "m");
  if (h < 8) return units(h, "h", m % 60, "m");
  if (h < 48) return units(h, "h");
  if (h < 24 * 8) return units(d, "d", h % 24, "h");
  if (d < 365 * 2) return units(d, "d");
  if (y < 8) return units(y, "y", d % 365, "d");
  return units(y, "y");
}

std::string BuiltInResourcePrefix(const std::string& argument) {
  const std::string built_in = k8s::ResourcePrefixesFor(argument).built_in;
  return built_in.empty() ? "" : "/registry/" + built_in + "/";
}

Result<std::optional<std::string>> ResolveResource(etcd::RangeReader& reader,
                                                   const std::string& argument) {
  if (std::string prefix = BuiltInResourcePrefix(argument); !prefix.empty()) return std::optional(prefix);
  const k8s::ResourcePrefixes prefixes = k8s::ResourcePrefixesFor(argument);
  for (const std::string& candidate : prefixes.candidates) {
    const std::string prefix = "/registry/" + candidate + "/";
    etcd::pb::RangeRequest request;
    request.set_key(prefix);
    request.set_range_end(etcd::PrefixRangeEnd(prefix));
    request.set_count_only(true);
    auto response = reader.Range(request);
    if (!response.ok()) return response.status();
    if (response->count() > 0) return std::optional<std::string>(prefix);
  }
  if (prefixes.known && !prefixes.candidates.empty()) {
    return std::optional<std::string>("/registry/" + prefixes.candidates.front() + "/");
  }
  return std::optional<std::string>();
}

Status GetResources(CommandContext& context, etcd::RangeReader& reader, const std::string& prefix,
                    const ResourceQuery& query, std::future<Result<Decoder>> loading) {
  PendingDecoder decoder(std::move(loading));
  auto everything = [](std::string_view) { return true; };
  // Tried in order until one holds objects.
  std::vector<KeyRange> ranges;
  if (!query.name.empty()) {
    // Namespaced first, then cluster-scoped.
    ranges.push_back({prefix + query.namespace_ + "/" + query.name, "", everything});
    ranges.push_back({prefix + query.name, "", everything});
  } else if (query.all_namespaces) {
    ranges.push_back({prefix, etcd::PrefixRangeEnd(prefix), everything});
  } else {
    const std::string in_namespace = prefix + query.namespace_ + "/";
    ranges.push_back({in_namespace, etcd::PrefixRangeEnd(in_namespace), everything});
    // A cluster-scoped resource: keys without a namespace.
    ranges.push_back({prefix, etcd::PrefixRangeEnd(prefix),
                      [](std::string_view rest) { return rest.find('/') == std::string_view::npos; },
                      /*probe_keys=*/true});
  }
  std::ostream& out = *context.out;

  if (!query.name.empty() && IsStructured(context.format)) {
    for (const KeyRange& range : ranges) {
      std::optional<mvccpb::KeyValue> found;
      KETCD_RETURN_IF_ERROR(ReadPages(reader, range, query.revision, [&](etcd::pb::RangeResponse&& page) {
        if (page.kvs_size() > 0) found = std::move(*page.mutable_kvs(0));
        return Status::Ok();
      }));
      if (!found) continue;
      auto loaded = decoder.Get();
      if (!loaded.ok()) return loaded.status();
      std::vector<std::string> warnings;
      bool decoded;
      const Json object = (*loaded)->DecodeOrRaw(*found, &warnings, &decoded);
      if (!decoded) warnings.push_back(object.value("ketcd.error", "not decoded"));
      for (const auto& warning : warnings) *context.err << "ketcd: warning: " << found->key() << ": " << warning << "\n";
      // As kubectl prints: indented JSON, or its YAML.
      out << (context.format == OutputFormat::kYaml ? ToYaml(object) : JsonText(object, 4) + "\n");
      return Status::Ok();
    }
    // A bad schema or encryption config is reported even when nothing is found.
    if (auto loaded = decoder.Get(); !loaded.ok()) return loaded.status();
    return NotFound(query.resource + " \"" + query.name + "\" not found");
  }

  if (IsStructured(context.format)) {
    // A List, item by item as the pages arrive.
    const OutputFormat format = context.format == OutputFormat::kYaml ? OutputFormat::kYaml : OutputFormat::kJson;
    // Started with the first object (nothing is printed if the decoder
    // fails to load), or at the end for an empty List.
    std::optional<PageDecoder> pages;
    auto start = [&]() -> Status {
      if (pages) return Status::Ok();
      auto loaded = decoder.Get();
      if (!loaded.ok()) return loaded.status();
      out << KubectlListHead(format);
      pages.emplace(**loaded,
                    format == OutputFormat::kYaml ? ObjectStyle::kKubectlListYaml : ObjectStyle::kKubectlListJson,
                    out, *context.err, /*explain_undecodable=*/true);
      return Status::Ok();
    };
    Status status = Status::Ok();
    for (const KeyRange& range : ranges) {
      auto may_hold = MayHoldObjects(reader, prefix, range, query.revision);
      if (!may_hold.ok()) status = may_hold.status();
      if (!status.ok()) break;
      if (!*may_hold) continue;
      status = ReadPages(reader, range, query.revision, [&](etcd::pb::RangeResponse&& page) {
        KETCD_RETURN_IF_ERROR(start());
        pages->Add(std::move(page), [&](std::string_view key) { return range.keep(key.substr(prefix.size())); });
        return Status::Ok();
      });
      if (pages) pages->Finish();
      if (!status.ok() || (pages && pages->decoded() > 0)) break;
    }
    if (!pages && status.ok()) status = start();
    if (pages) out << KubectlListTail(format, pages->decoded() == 0);
    return status;
  }

  std::vector<Row> rows;
  for (const KeyRange& range : ranges) {
    auto may_hold = MayHoldObjects(reader, prefix, range, query.revision);
    if (!may_hold.ok()) return may_hold.status();
    if (!*may_hold) continue;
    KETCD_RETURN_IF_ERROR(ReadPages(reader, range, query.revision, [&](etcd::pb::RangeResponse&& page) {
      auto loaded = decoder.Get();
      if (!loaded.ok()) return loaded.status();
      for (const auto& kv : page.kvs()) {
        if (range.keep(std::string_view(kv.key()).substr(prefix.size()))) {
          rows.push_back(RowOf(**loaded, prefix, kv, *context.err));
        }
      }
      return Status::Ok();
    }));
    if (!rows.empty()) break;
  }
  if (rows.empty()) {
    if (auto loaded = decoder.Get(); !loaded.ok()) return loaded.status();
  }
  if (rows.empty() && !query.name.empty()) return NotFound(query.resource + " \"" + query.name + "\" not found");
  if (rows.empty()) {
    *context.err << "No resources found"
              << (query.all_namespaces ? "" : " in " + query.namespace_ + " namespace") << ".\n";
    return Status::Ok();
  }
  const bool wide = context.output == "wide";
  const bool namespaces = query.all_namespaces;
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header;
  if (namespaces) header.push_back("NAMESPACE");
  header.insert(header.end(), {"NAME", "AGE"});
  if (wide) header.insert(header.end(), {"MOD-REVISION", "SIZE", "KEY"});
  table.push_back(header);
  for (const Row& row : rows) {
    std::vector<std::string> cells;
    if (namespaces) cells.push_back(row.namespace_);
    cells.insert(cells.end(), {row.name, AgeOf(row)});
    if (wide) cells.insert(cells.end(), {std::to_string(row.mod_revision), HumanBytes(row.bytes), row.key});
    table.push_back(std::move(cells));
  }
  PrintColumns(out, table);
  return Status::Ok();
}

}  // namespace ketcd::cli
