// The Kubernetes schemas compiled into the binary at build time, newest
// first: FileDescriptorSets made by protoc from Debian's golang-k8s-api-dev
// and golang-k8s-apimachinery-dev .proto files, each with the JSON tag table
// of the same Go sources (json_tags.h). See cmake/KubernetesSchema.cmake,
// which generates the implementation.
#pragma once

#include <string_view>
#include <vector>

namespace ketcd::k8s {

struct BuiltInSchemaBlob {
  const char* version;  // e.g. "k8s.io/api 0.36.4-1 (Debian sid)"
  std::string_view descriptors;
  std::string_view json_tags;
};

// Empty when the build found no Kubernetes protos.
std::vector<BuiltInSchemaBlob> BuiltInSchemaBlobs();

}  // namespace ketcd::k8s
