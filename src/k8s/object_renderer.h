// Rendering stored Kubernetes objects as the API server's JSON.
//
// Kubernetes JSON is Go's encoding/json over the API types, not the proto3
// JSON mapping: metav1.Time is an RFC 3339 string, IntOrString a bare number
// or string, Quantity its string, RawExtension/FieldsV1 inline JSON, int64 a
// number, bytes base64 (../shared/notes/k8s-storage.md section 5).
//
// Nothing is dropped: fields the schema does not know are printed under
// "ketcd.unknownFields" by field number, and a value no schema covers is
// printed as numbered fields, each with a warning.
#pragma once

#include <google/protobuf/descriptor.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/schema.h"
#include "util/status.h"

namespace ketcd::k8s {

using Json = nlohmann::ordered_json;

struct RenderedObject {
  Json object;
  std::vector<std::string> warnings;  // unknown kinds and fields, for stderr
};

// What the API server changes in an object it reads from etcd, and what
// kubectl hides when it prints one. The default changes nothing: the object
// exactly as stored.
struct ReadView {
  // > 0: metadata.resourceVersion, which the storage layer clears on write
  // and the API server fills from the key's mod revision on read.
  int64_t mod_revision = 0;
  // kubectl prints metadata.managedFields only with --show-managed-fields.
  bool hide_managed_fields = false;
  // What the API server's conversion and defaulting add to a stored object
  // as they decode it (read_conversions.h).
  bool read_conversions = false;
};

// Decodes one stored value: protobuf via `schema`, JSON as is, CBOR (custom
// resources with CBORServingAndStorage) as the JSON the API server returns.
// Encrypted values are reported as errors naming the encoding.
Result<RenderedObject> RenderStoredValue(const Schema& schema, std::string_view value,
                                         const ReadView& view = {});

// The object message `raw` of type `type`, rendered; kind/apiVersion first.
Result<RenderedObject> RenderObject(const Schema& schema, const google::protobuf::Descriptor& type,
                                    std::string_view api_version, std::string_view kind,
                                    std::string_view raw, const ReadView& view = {});

// Protobuf wire bytes with no schema, as {"<field number>": value, ...}.
Json RenderWireFields(std::string_view bytes);

}  // namespace ketcd::k8s
