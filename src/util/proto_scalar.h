// One scalar protobuf field as a JSON value, the way Go's encoding/json
// prints the Go type behind it: integers as numbers, bytes as base64. Both
// etcdctl-style and Kubernetes JSON build on it; they differ only in how
// they treat nested messages, which this does not handle.
#pragma once

#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>

namespace ketcd {

// `index` >= 0 reads that element of a repeated field; -1 a singular field.
// Message fields give null: callers render them themselves.
nlohmann::ordered_json ScalarFieldToJson(const google::protobuf::Message& message,
                                         const google::protobuf::FieldDescriptor& field, int index);

}  // namespace ketcd
