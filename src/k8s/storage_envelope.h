// The storage envelope of a Kubernetes object in etcd: how a value is
// encoded, and the protobuf form's "k8s\0" + runtime.Unknown wrapper.
// Layout facts: ../shared/notes/k8s-storage.md section 1 (apimachinery
// pkg/runtime/serializer/protobuf and pkg/runtime/generated.proto).
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace ketcd::k8s {

enum class StorageEncoding {
  kProtobuf,   // "k8s\0" + runtime.Unknown
  kJson,       // custom resources, CRDs, APIServices
  kCbor,       // custom resources with the CBORServingAndStorage gate
  kEncrypted,  // "k8s:enc:<provider>:v1:<key>:"
  kUnknown,
};

inline constexpr std::string_view kProtobufMagic{"k8s\0", 4};

StorageEncoding DetectStorageEncoding(std::string_view value);
const char* StorageEncodingName(StorageEncoding encoding);

struct StorageEnvelope {
  std::string api_version;  // runtime.Unknown typeMeta field 1
  std::string kind;         // typeMeta field 2
  std::string_view raw;     // the object's own message; points into the input
  std::string content_encoding, content_type;
};

// Parses a protobuf-encoded value (with its magic). Every length is checked
// against the input; errors say which part is broken.
Result<StorageEnvelope> ParseStorageEnvelope(std::string_view value);

}  // namespace ketcd::k8s
