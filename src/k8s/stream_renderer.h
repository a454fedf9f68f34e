// The streaming renderer: a stored protobuf object straight to the JSON text
// the DOM renderer (object_renderer.h) prints, with no protobuf message and
// no JSON tree in between. The wire bytes are read once per message level
// against a render plan (render_plan.h) and written in Go's field order into
// one reusable buffer.
//
// Where an object holds anything only the DOM renderer handles (fields the
// schema does not know, which it prints with a warning; a repeated singular
// field; JSON or CBOR storage; a kind no schema covers; malformed bytes),
// the streaming path declines and the DOM renderer decides, so the text is
// the same either way. Read conversions (read_conversions.h) are applied to
// the streamed text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "k8s/object_renderer.h"
#include "k8s/render_plan.h"
#include "k8s/schema.h"
#include "k8s/storage_envelope.h"
#include "util/json_string.h"
#include "util/status.h"

namespace ketcd::k8s {

// What a table row shows of an object.
struct ObjectIdentity {
  std::string name;                // metadata.name
  std::string creation_timestamp;  // RFC 3339, empty when unset
};

class StreamRenderer {
 public:
  // `schema` must outlive the renderer. One renderer may serve several
  // threads at once.
  explicit StreamRenderer(const Schema& schema) : schema_(schema) {}

  // Appends JsonText(RenderStoredValue(schema, value, view)->object) to
  // *out, laid out as `layout` says; the status and warnings are
  // RenderStoredValue's (on an error nothing is appended).
  Status AppendJson(std::string_view value, const ReadView& view, std::string* out,
                    std::vector<std::string>* warnings, JsonLayout layout = {}) const;

  // The streaming path alone: false, with *out unchanged, where it
  // declines (above). Tests use it to show which objects stream.
  bool TryAppendJson(std::string_view value, const ReadView& view, std::string* out,
                     JsonLayout layout = {}) const;

  // metadata.name and creationTimestamp as the rendered object has them,
  // read from the wire without rendering; false where the streaming path
  // declines (then render the object to know).
  bool TryReadIdentity(std::string_view value, ObjectIdentity* identity) const;

  const Schema& schema() const { return schema_; }

 private:
  // The object's plan, when the streaming path takes it.
  const MessagePlan* PlanFor(const StorageEnvelope& envelope) const;

  const Schema& schema_;
  mutable RenderPlans plans_;
};

}  // namespace ketcd::k8s
