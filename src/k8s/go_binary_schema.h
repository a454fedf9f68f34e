// Kubernetes schemas read from a Kubernetes Go binary (kubectl, kubelet,
// kube-apiserver, ...): Go protobuf code registers each .proto file's
// FileDescriptorProto, gzipped, in the binary (gogo's generated
// `fileDescriptor_<hash>` byte slices, written by Go's gzip at best
// compression). They are found by their gzip header, inflated, and the
// k8s.io files among them are returned as one FileDescriptorSet.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd::k8s {

// True when `bytes` start like an ELF executable.
bool LooksLikeExecutable(std::string_view bytes);

// A serialized FileDescriptorSet of the k8s.io .proto files embedded in
// `binary`; kNotFound when it holds none.
Result<std::string> DescriptorSetFromGoBinary(std::string_view binary);

}  // namespace ketcd::k8s
