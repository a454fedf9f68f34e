#include "cli/stats_report.h"

#include <algorithm>
#include <ctime>

#include "k8s/registry_key.h"
#include "util/durable_file.h"
#include "util/utc_time.h"

namespace ketcd::cli {

// cli/stats_report.html, built in (cmake/embed_text.cmake).
extern const std::string_view kStatsReportPage;

namespace {

constexpr std::string_view kDataMarker = "/*KETCD_REPORT_DATA*/";

// JSON inside a <script> element ends at the first "</script" whatever the
// quotes around it: keys are whatever clients wrote, so every '<' (it can
// only be inside a string) is written as its escape.
std::string ScriptSafeJson(const Json& data) {
  const std::string text = data.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string safe;
  safe.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      safe += "\\u003c";
    } else {
      safe += c;
    }
  }
  return safe;
}

}  // namespace

Json MapNamespaces(std::string_view registry_prefix, const std::map<std::string, k8s::KeyTotals>& namespaces,
                   const std::vector<const k8s::LargeObject*>& largest) {
  std::map<std::string_view, std::vector<const k8s::LargeObject*>> shown;
  for (const k8s::LargeObject* object : largest) {
    shown[k8s::ParseRegistryKey(object->key, registry_prefix).namespace_].push_back(object);
  }
  std::vector<std::pair<const std::string*, const k8s::KeyTotals*>> order;
  for (const auto& [name, totals] : namespaces) order.emplace_back(&name, &totals);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second->bytes > b.second->bytes; });
  Json entries = Json::array();
  for (const auto& [name, totals] : order) {
    Json objects = Json::array();
    k8s::KeyTotals rest = *totals;
    for (const k8s::LargeObject* object : shown[*name]) {
      const std::string_view object_name = k8s::ParseRegistryKey(object->key, registry_prefix).name;
      objects.push_back({{"name", object_name.empty() ? object->key : std::string(object_name)},
                         {"bytes", object->bytes}});
      rest.objects -= 1;
      rest.bytes -= object->bytes;
    }
    entries.push_back({{"name", *name},
                       {"objects", totals->objects},
                       {"bytes", totals->bytes},
                       {"objects_shown", objects},
                       {"rest", {{"objects", rest.objects}, {"bytes", rest.bytes}}}});
  }
  return entries;
}

Status WriteStatsReport(const std::string& path, const Json& stats) {
  Json data = stats;
  data["generated"] = Rfc3339Utc(std::time(nullptr));
  const size_t marker = kStatsReportPage.find(kDataMarker);
  if (marker == std::string_view::npos) return Failed("the built-in report page has no place for its data");
  std::string page(kStatsReportPage.substr(0, marker));
  page += ScriptSafeJson(data);
  page += kStatsReportPage.substr(marker + kDataMarker.size());
  return WriteFileDurably(path, page, 0644, DurableFile::Existing::kReplace);
}

}  // namespace ketcd::cli
