// Surgical edits of protobuf bytes: replace the contents of the
// length-delimited fields found along a path of field numbers and keep every
// other byte as it was (field order, unknown fields, non-minimal varints).
// Only the lengths of the messages that enclose an edited field change.
// A CIDR migration rewrites stored Kubernetes objects this way, so a
// byte-level diff of any key shows exactly the fields it meant to change.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace ketcd::migrate {

// Gets the contents of one field reached by the path and its index among
// the fields so reached (0, 1, ... for a repeated field); returns the new
// contents, or nullopt to keep the field as it is.
using FieldEditor =
    std::function<Result<std::optional<std::string>>(std::string_view contents, int index)>;

// `path` holds field numbers, outermost first; every field on it must be
// length-delimited (messages, strings, bytes). Malformed input (a length
// past the end, a group, a bad wire type) is kDataLoss.
Result<std::string> EditFields(std::string_view message, std::span<const int> path,
                               const FieldEditor& edit);

// The contents of every length-delimited field reached by `path`, in order.
Result<std::vector<std::string_view>> ReadFields(std::string_view message,
                                                 std::span<const int> path);

// The last varint field `number` of `message` (proto semantics: the last
// one wins), or nullopt when absent.
Result<std::optional<uint64_t>> ReadVarintField(std::string_view message, int number);

// A stored Kubernetes protobuf value is "k8s\0" + runtime.Unknown, whose
// field 2 holds the object's own message: these wrap the calls above with
// that prefix, so paths start at the object (e.g. {2, 3}: spec.clusterIP).
Result<std::string> EditStoredObject(std::string_view value, std::span<const int> path,
                                     const FieldEditor& edit);
Result<std::vector<std::string_view>> ReadStoredObject(std::string_view value,
                                                       std::span<const int> path);

}  // namespace ketcd::migrate
