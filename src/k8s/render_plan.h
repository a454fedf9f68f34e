// Render plans: what the streaming renderer needs to know about one message
// type, worked out once from its descriptor and Go JSON tags instead of for
// every object: the fields in output order with their JSON keys already
// escaped, each field's wire form, and Go's omission rules.
//
// A plan is marked not streamable where only the DOM renderer
// (object_renderer.h) gives the right answer: proto3 or defaults, enums,
// oneofs, keys that could collide, an inline struct that is not an object.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "k8s/json_tags.h"
#include "k8s/special_types.h"

namespace ketcd::k8s {

// How a field's value is stored on the wire and printed.
enum class WireValue : uint8_t {
  kInt32, kInt64, kUInt32, kUInt64, kSInt32, kSInt64, kFixed32, kFixed64,
  kSFixed32, kSFixed64, kBool, kFloat, kDouble, kString, kBytes, kMessage,
};

// The wire type a value of this kind is stored with (0 varint, 1 fixed64,
// 2 length-delimited, 5 fixed32).
constexpr uint8_t WireTypeOf(WireValue value) {
  switch (value) {
    case WireValue::kFixed64:
    case WireValue::kSFixed64:
    case WireValue::kDouble:
      return 1;
    case WireValue::kString:
    case WireValue::kBytes:
    case WireValue::kMessage:
      return 2;
    case WireValue::kFixed32:
    case WireValue::kSFixed32:
    case WireValue::kFloat:
      return 5;
    default:
      return 0;
  }
}

struct MessagePlan;

struct FieldPlan {
  int number = 0;
  std::string key;  // `"name":` as JSON text
  WireValue value = WireValue::kString;
  const MessagePlan* message = nullptr;  // kMessage: the value's plan; a map: the entry's
  bool repeated = false;
  bool map = false;
  // Tagged fields follow the Go struct tag; untagged ones (a schema newer
  // than its tag table) print under their proto name when set.
  bool tagged = false;
  bool inline_struct = false;  // a singular message whose fields join the parent's
  bool omitempty = false;
  bool omitzero = false;
  bool pointer = false;
};

struct MessagePlan {
  const google::protobuf::Descriptor* type = nullptr;
  SpecialType special = SpecialType::kNone;
  std::vector<FieldPlan> fields;        // in output order
  // Field number -> its index in `fields` (-1 unknown) with what reading a
  // tag needs, so that the scan of an object's bytes touches this table only.
  struct Slot {
    int16_t index = -1;
    uint8_t wire_type = 0;
    bool repeated = false;
  };
  std::vector<Slot> slot_by_number;
  // Slots of the fields special types and the read view use, -1 absent:
  // Time (seconds, nanos), Duration (duration), IntOrString (type, intVal,
  // strVal), Quantity (string), inline JSON (raw), ObjectMeta
  // (resourceVersion, managedFields, name, creationTimestamp), a top-level
  // object (metadata).
  int seconds = -1, nanos = -1, duration = -1, int_or_string_type = -1, int_value = -1,
      string_value = -1, quantity = -1, raw = -1, resource_version = -1, managed_fields = -1,
      name = -1, creation_timestamp = -1, metadata = -1;
  // Its keys include "kind" or "apiVersion", which a top-level object
  // prints first from the envelope.
  bool has_type_meta_keys = false;
  bool streamable = true;
  // Slots, in order, that print something even when the object lacks the
  // field (Go's zero value, null), or that the read view may fill
  // (metadata, resourceVersion): other absent fields print nothing and
  // are not visited.
  std::vector<uint16_t> written_when_absent;

  Slot SlotFor(uint64_t number) const { return number < slot_by_number.size() ? slot_by_number[number] : Slot(); }
  int SlotOf(uint64_t number) const { return SlotFor(number).index; }
};

// Plans for every message type reachable from the types asked for; safe to
// share between threads.
class RenderPlans {
 public:
  // `tags`: the JSON tags of the layer the types come from.
  const MessagePlan* For(const google::protobuf::Descriptor& type, const JsonTags& tags);

 private:
  MessagePlan* Build(const google::protobuf::Descriptor& type, const JsonTags& tags,
                     std::vector<MessagePlan*>& built);
  static void Finish(const std::vector<MessagePlan*>& built);

  std::mutex mutex_;
  std::unordered_map<const google::protobuf::Descriptor*, std::unique_ptr<MessagePlan>> plans_;
};

}  // namespace ketcd::k8s
