// kubectl-style reads: `ketcd get RESOURCE[.GROUP] [NAME] [-n NS | -A]`,
// objects decoded as the API server prints them, listed as kubectl lists
// them (a table of NAME and AGE; -o wide adds where each object is in etcd;
// -o json|yaml gives the object, or a List of them).
#pragma once

#include <future>
#include <optional>
#include <string>

#include "cli/command_context.h"
#include "cli/decoding_options.h"
#include "etcd/range_reader.h"

namespace ketcd::cli {

struct ResourceQuery {
  std::string resource;                // as given, for messages
  std::string name;                    // empty: every object
  std::string namespace_ = "default";  // -n
  bool all_namespaces = false;         // -A
  int64_t revision = 0;
};

// The etcd key prefix of the built-in resource `argument` names ("pods":
// "/registry/pods/"), found without reading; "" for any other name.
std::string BuiltInResourcePrefix(const std::string& argument);

// The etcd key prefix ("/registry/pods/") of the objects `argument` names,
// or nothing when it names no resource (then it is a plain key).
Result<std::optional<std::string>> ResolveResource(etcd::RangeReader& reader,
                                                   const std::string& argument);

// Reads and prints the objects. `decoder` may still be loading: it is
// waited for when the first object arrives, so that loading the schema and
// etcd's work on the first page overlap.
Status GetResources(CommandContext& context, etcd::RangeReader& reader, const std::string& prefix,
                    const ResourceQuery& query, std::future<Result<Decoder>> decoder);

// kubectl's age of an object: "45s", "3m12s", "5h", "12d", "2y30d".
std::string HumanAge(std::chrono::seconds age);

}  // namespace ketcd::cli
