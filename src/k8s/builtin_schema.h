// The Kubernetes schema compiled into the binary at build time: a
// FileDescriptorSet made by protoc from Debian's golang-k8s-api-dev and
// golang-k8s-apimachinery-dev .proto files (see cmake/KubernetesSchema.cmake).
#pragma once

#include <string_view>

namespace ketcd::k8s {

// Empty when the build found no Kubernetes protos.
std::string_view BuiltInSchemaData();
// The Go JSON tags of the same API types (see json_tags.h); empty without.
std::string_view BuiltInJsonTags();
// e.g. "k8s.io/api 0.36.4-1 (Debian sid)"; empty without a schema.
const char* BuiltInSchemaVersion();

}  // namespace ketcd::k8s
