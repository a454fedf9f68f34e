// ketcd stats --html FILE: the figures of `stats -o json` and a zoomable map
// of what fills the database (bytes by resource, namespace and object), as
// one HTML page that opens from disk: its script, style and data are all
// inside it, nothing is fetched.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output.h"
#include "k8s/keyspace_totals.h"
#include "util/status.h"

namespace ketcd::cli {

// How many of the keyspace's largest objects the map shows one by one; the
// others of each namespace share one box. Bounds the page (and the memory
// to build it) whatever the number of objects.
inline constexpr size_t kReportMapObjects = 2000;

// One resource's namespaces for the map, largest first: their totals, the
// objects among `largest` (keys under `registry_prefix`) stored there, and
// what the rest of each namespace holds. Cluster-scoped objects are under
// the namespace "".
Json MapNamespaces(std::string_view registry_prefix, const std::map<std::string, k8s::KeyTotals>& namespaces,
                   const std::vector<const k8s::LargeObject*>& largest);

// Writes the page for `stats` (the document `stats -o json` prints, its
// resources with "namespaces" from MapNamespaces, plus "source") to `path`,
// replacing a file there.
Status WriteStatsReport(const std::string& path, const Json& stats);

}  // namespace ketcd::cli
