// The Kubernetes types whose Go JSON form is not an object of their proto
// fields (../shared/notes/k8s-storage.md section 5). The renderer and the
// encoder both branch on this one classification.
#pragma once

#include <google/protobuf/descriptor.h>

#include "k8s/json_tags.h"

namespace ketcd::k8s {

enum class SpecialType {
  kNone,
  kTime,          // meta/v1 Time: RFC 3339 seconds; zero is an empty message, JSON null
  kMicroTime,     // meta/v1 MicroTime: RFC 3339 with microseconds
  kDuration,      // meta/v1 Duration: Go duration string
  kIntOrString,   // intstr: a bare number or string
  kQuantity,      // resource.Quantity: its canonical string
  kInlineJson,    // runtime.RawExtension, meta/v1 FieldsV1: raw bytes holding JSON
  kSliceWrapper,  // a Go named slice (Verbs, ExtraValue): one repeated "items" field
};

// `tags` tells a slice wrapper (no Go struct, so no tags) from a struct that
// happens to have one "items" field.
SpecialType ClassifyType(const google::protobuf::Descriptor& type, const JsonTags& tags);

}  // namespace ketcd::k8s
