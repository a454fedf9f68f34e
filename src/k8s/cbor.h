// CBOR (RFC 8949) as the API server stores custom resources with the
// CBORServingAndStorage feature: a self-described CBOR tag (0xd9d9f7), then
// the object as a map. Kubernetes' encoder (apimachinery
// pkg/runtime/serializer/cbor/internal/modes/encode.go) writes strings and
// map keys as byte strings, integers and floats in their shortest form
// (floats down to half precision when exact), definite lengths only, and map
// entries sorted bytewise by their encoded keys: one encoding per value,
// which JsonToCbor reproduces so a rewritten object is what the API server
// would have stored.
#pragma once

#include <string>
#include <string_view>

#include "k8s/object_renderer.h"
#include "util/status.h"

namespace ketcd::k8s {

// The JSON value of a stored CBOR object, map keys sorted as Go's
// encoding/json prints a map (the API server's JSON of it). kDataLoss on
// anything malformed, truncated or nested deeper than 256 levels.
Result<Json> CborToJson(std::string_view bytes);

// The bytes the API server stores for `value`: the self-described tag,
// then its deterministic encoding. Numbers that are integers in JSON stay
// integers; others are floats.
std::string JsonToCbor(const Json& value);

}  // namespace ketcd::k8s
