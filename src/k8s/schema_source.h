// Where a run-time Kubernetes schema comes from, as a serialized
// FileDescriptorSet:
//   - a FileDescriptorSet file (protoc --include_imports --descriptor_set_out);
//   - a Kubernetes Go binary (kubectl, kubelet, kube-apiserver), whose
//     embedded descriptors are extracted (go_binary_schema.h);
//   - a directory of .proto files that is the root of their import paths
//     (the directory holding k8s.io/, e.g. a GOPATH src or Debian's
//     /usr/share/gocode/src), compiled with libprotobuf's Importer;
//   - the name of a schema imported earlier into ketcd's cache
//     ($XDG_CACHE_HOME/ketcd/schemas/NAME.desc, ~/.cache when unset).
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace ketcd::k8s {

Result<std::string> ReadDescriptorSource(const std::string& source);

// Where `ketcd schema import` keeps schemas.
std::string SchemaCacheDir();
// Imports `source` under `name`; returns the file written.
Result<std::string> ImportSchema(const std::string& source, const std::string& name);
// The names imported so far.
std::vector<std::string> ImportedSchemas();

}  // namespace ketcd::k8s
