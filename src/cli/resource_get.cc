#include "cli/resource_get.h"

#include <chrono>
#include <cstdio>

#include "etcd/range_pager.h"
#include "k8s/object_encoder.h"
#include "k8s/resource_prefix.h"
#include "util/json_text.h"

namespace ketcd::cli {
namespace {

struct Found {
  std::string key;
  std::string namespace_;  // empty: cluster-scoped
  int64_t mod_revision = 0;
  size_t bytes = 0;
  Json object;
};

// Reads [start, end) at the query's revision, keeping the objects `keep` accepts.
Status Collect(etcd::RangeReader& reader, const Decoder& decoder, const std::string& prefix,
               const std::string& start, const std::string& end, int64_t revision,
               const std::function<bool(std::string_view rest)>& keep, std::vector<Found>& found) {
  etcd::pb::RangeRequest request;
  request.set_key(start);
  request.set_range_end(end);
  request.set_revision(revision);
  return etcd::ReadRangeInPages(reader, request, etcd::PageSizing(), [&](const etcd::RangePage& page) {
    for (const auto& kv : page.response.kvs()) {
      const std::string_view rest = std::string_view(kv.key()).substr(prefix.size());
      if (!keep(rest)) continue;
      std::vector<std::string> warnings;
      bool decoded;
      const size_t slash = rest.find('/');
      found.push_back({kv.key(), slash == std::string_view::npos ? "" : std::string(rest.substr(0, slash)),
                       kv.mod_revision(), kv.key().size() + kv.value().size(),
                       decoder.DecodeOrRaw(kv, &warnings, &decoded)});
      // Not decoded (encrypted without --encryption-config, corrupt): its
      // raw record is printed; say why.
      if (!decoded) warnings.push_back(found.back().object.value("ketcd.error", "not decoded"));
      for (const auto& warning : warnings) std::cerr << "ketcd: warning: " << kv.key() << ": " << warning << "\n";
    }
    return Status::Ok();
  });
}

std::string NameOf(const Found& found) {
  const Json& object = found.object;
  if (object.contains("metadata") && object["metadata"].contains("name") &&
      object["metadata"]["name"].is_string()) {
    return object["metadata"]["name"].get<std::string>();
  }
  return found.key.substr(found.key.rfind('/') + 1);
}

std::string AgeOf(const Found& found) {
  const Json& object = found.object;
  if (!object.contains("metadata") || !object["metadata"].contains("creationTimestamp") ||
      !object["metadata"]["creationTimestamp"].is_string()) {
    return "<unknown>";
  }
  int64_t seconds;
  int32_t nanos;
  if (!k8s::ParseRfc3339(object["metadata"]["creationTimestamp"].get<std::string>(), &seconds, &nanos)) {
    return "<unknown>";
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return HumanAge(std::chrono::seconds(std::max<int64_t>(0, now - seconds)));
}

// Columns as kubectl prints them: left-aligned, three spaces apart, no borders.
void PrintColumns(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 3, ' ');
    }
    out << line << "\n";
  }
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

Result<std::optional<std::string>> ResolveResource(etcd::RangeReader& reader,
                                                   const std::string& argument) {
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
                    const ResourceQuery& query) {
  auto decoder = Decoder::Load(query.decoding);
  if (!decoder.ok()) return decoder.status();
  std::vector<Found> found;
  auto everything = [](std::string_view) { return true; };
  if (!query.name.empty()) {
    // Namespaced first, then cluster-scoped.
    for (const std::string& key :
         {prefix + query.namespace_ + "/" + query.name, prefix + query.name}) {
      KETCD_RETURN_IF_ERROR(Collect(reader, *decoder, prefix, key, "", query.revision, everything, found));
      if (!found.empty()) break;
    }
    if (found.empty()) {
      return NotFound(query.resource + " \"" + query.name + "\" not found");
    }
  } else if (query.all_namespaces) {
    KETCD_RETURN_IF_ERROR(Collect(reader, *decoder, prefix, prefix, etcd::PrefixRangeEnd(prefix),
                                  query.revision, everything, found));
  } else {
    const std::string in_namespace = prefix + query.namespace_ + "/";
    KETCD_RETURN_IF_ERROR(Collect(reader, *decoder, prefix, in_namespace,
                                  etcd::PrefixRangeEnd(in_namespace), query.revision, everything,
                                  found));
    if (found.empty()) {  // a cluster-scoped resource: keys without a namespace
      KETCD_RETURN_IF_ERROR(Collect(
          reader, *decoder, prefix, prefix, etcd::PrefixRangeEnd(prefix), query.revision,
          [](std::string_view rest) { return rest.find('/') == std::string_view::npos; }, found));
    }
  }

  std::ostream& out = *context.out;
  if (IsStructured(context.format)) {
    // As kubectl prints: indented JSON, or its YAML.
    auto print = [&](const Json& document) {
      if (context.format == OutputFormat::kYaml) {
        out << ToYaml(document);
      } else {
        out << JsonText(document, 4) << "\n";
      }
    };
    if (!query.name.empty()) {
      print(found.front().object);
      return Status::Ok();
    }
    Json items = Json::array();
    for (auto& object : found) items.push_back(std::move(object.object));
    print({{"apiVersion", "v1"},
           {"items", items},
           {"kind", "List"},
           {"metadata", {{"resourceVersion", ""}}}});
    return Status::Ok();
  }
  if (found.empty()) {
    std::cerr << "No resources found"
              << (query.all_namespaces ? "" : " in " + query.namespace_ + " namespace") << ".\n";
    return Status::Ok();
  }
  const bool wide = context.output == "wide";
  const bool namespaces = query.all_namespaces;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  if (namespaces) header.push_back("NAMESPACE");
  header.insert(header.end(), {"NAME", "AGE"});
  if (wide) header.insert(header.end(), {"MOD-REVISION", "SIZE", "KEY"});
  rows.push_back(header);
  for (const auto& object : found) {
    std::vector<std::string> row;
    if (namespaces) row.push_back(object.namespace_);
    row.insert(row.end(), {NameOf(object), AgeOf(object)});
    if (wide) {
      row.insert(row.end(), {std::to_string(object.mod_revision), HumanBytes(object.bytes), object.key});
    }
    rows.push_back(std::move(row));
  }
  PrintColumns(out, rows);
  return Status::Ok();
}

}  // namespace ketcd::cli
