// Encoding Kubernetes objects (the API server's JSON) into the bytes the API
// server stores: "k8s\0" + runtime.Unknown{typeMeta, raw}, with raw written
// as gogo-protobuf writes it (ascending field numbers; non-pointer scalars
// and structs always, zero or not; pointers when set; map entries sorted by
// key). Which Go fields are pointers, inline or renamed comes from the
// schema's JSON tags, as for rendering (object_renderer.h).
#pragma once

#include <string>

#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "util/status.h"

namespace ketcd::k8s {

// Errors: kInvalidArgument for a kind the schema lacks, a JSON key no field
// has, or a value of the wrong type; messages give the JSON path.
Result<std::string> EncodeStoredObject(const Schema& schema, const Json& object);

// RFC 3339 ("2008-01-01T01:01:01Z", offsets and fractions allowed) to Unix
// seconds and nanoseconds.
bool ParseRfc3339(const std::string& text, int64_t* seconds, int32_t* nanos);

}  // namespace ketcd::k8s
