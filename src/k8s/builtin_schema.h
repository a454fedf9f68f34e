// The Kubernetes schemas compiled into the binary at build time:
// FileDescriptorSets made by protoc from the .proto files of k8s.io/api and
// k8s.io/apimachinery (the Go modules of every release since 1.30, or
// Debian's packages), each with the JSON tag table of the same Go sources
// (json_tags.h). First the merged one (the newest release, with the fields
// and kinds older ones had), then each release, newest first. See
// cmake/KubernetesSchema.cmake, which generates the implementation.
#pragma once

#include <string_view>
#include <vector>

namespace ketcd::k8s {

struct BuiltInSchemaBlob {
  const char* version;  // e.g. "k8s.io/api 0.36.4-1 (Debian sid)"
  bool merged;          // the default: every release's fields in one
  std::string_view descriptors;
  std::string_view json_tags;
};

// Empty when the build found no Kubernetes protos.
std::vector<BuiltInSchemaBlob> BuiltInSchemaBlobs();

}  // namespace ketcd::k8s
