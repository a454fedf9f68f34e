#include "k8s/render_plan.h"

#include <nlohmann/json.hpp>
#include <set>

#include "util/json_text.h"

namespace ketcd::k8s {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Field numbers above this would make the slot table large; no Kubernetes
// type comes near it.
constexpr int kMaxSlotTableNumber = 8192;

bool WireValueOf(const FieldDescriptor& field, WireValue* value) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_INT32: *value = WireValue::kInt32; return true;
    case FieldDescriptor::TYPE_INT64: *value = WireValue::kInt64; return true;
    case FieldDescriptor::TYPE_UINT32: *value = WireValue::kUInt32; return true;
    case FieldDescriptor::TYPE_UINT64: *value = WireValue::kUInt64; return true;
    case FieldDescriptor::TYPE_SINT32: *value = WireValue::kSInt32; return true;
    case FieldDescriptor::TYPE_SINT64: *value = WireValue::kSInt64; return true;
    case FieldDescriptor::TYPE_FIXED32: *value = WireValue::kFixed32; return true;
    case FieldDescriptor::TYPE_FIXED64: *value = WireValue::kFixed64; return true;
    case FieldDescriptor::TYPE_SFIXED32: *value = WireValue::kSFixed32; return true;
    case FieldDescriptor::TYPE_SFIXED64: *value = WireValue::kSFixed64; return true;
    case FieldDescriptor::TYPE_BOOL: *value = WireValue::kBool; return true;
    case FieldDescriptor::TYPE_FLOAT: *value = WireValue::kFloat; return true;
    case FieldDescriptor::TYPE_DOUBLE: *value = WireValue::kDouble; return true;
    case FieldDescriptor::TYPE_STRING: *value = WireValue::kString; return true;
    case FieldDescriptor::TYPE_BYTES: *value = WireValue::kBytes; return true;
    case FieldDescriptor::TYPE_MESSAGE: *value = WireValue::kMessage; return true;
    default: return false;  // enums (closed in proto2) and groups
  }
}

// The slot of the singular field `name` of C++ type `cpp_type`; -1 when
// there is none (the plan is then not streamable where it needs one).
int SlotNamed(const MessagePlan& plan, const char* name, FieldDescriptor::CppType cpp_type) {
  const FieldDescriptor* field = plan.type->FindFieldByName(name);
  if (field == nullptr || field->is_repeated() || field->cpp_type() != cpp_type) return -1;
  return plan.SlotOf(static_cast<uint64_t>(field->number()));
}

void FindNamedSlots(MessagePlan& plan) {
  using CppType = FieldDescriptor::CppType;
  switch (plan.special) {
    case SpecialType::kTime:
    case SpecialType::kMicroTime:
      plan.seconds = SlotNamed(plan, "seconds", CppType::CPPTYPE_INT64);
      plan.nanos = SlotNamed(plan, "nanos", CppType::CPPTYPE_INT32);
      plan.streamable &= plan.seconds >= 0 && plan.nanos >= 0;
      break;
    case SpecialType::kDuration:
      plan.duration = SlotNamed(plan, "duration", CppType::CPPTYPE_INT64);
      plan.streamable &= plan.duration >= 0;
      break;
    case SpecialType::kIntOrString:
      plan.int_or_string_type = SlotNamed(plan, "type", CppType::CPPTYPE_INT64);
      plan.int_value = SlotNamed(plan, "intVal", CppType::CPPTYPE_INT32);
      plan.string_value = SlotNamed(plan, "strVal", CppType::CPPTYPE_STRING);
      plan.streamable &= plan.int_or_string_type >= 0 && plan.int_value >= 0 && plan.string_value >= 0;
      break;
    case SpecialType::kQuantity:
      plan.quantity = SlotNamed(plan, "string", CppType::CPPTYPE_STRING);
      plan.streamable &= plan.quantity >= 0;
      break;
    case SpecialType::kInlineJson:
      plan.raw = SlotNamed(plan, plan.type->FindFieldByName("raw") ? "raw" : "Raw",
                           CppType::CPPTYPE_STRING);
      break;  // none: always null
    case SpecialType::kSliceWrapper:
    case SpecialType::kNone:
      break;
  }
  if (plan.type->name() == "ObjectMeta") {
    const FieldDescriptor* version = plan.type->FindFieldByName("resourceVersion");
    if (version && version->type() == FieldDescriptor::TYPE_STRING) {
      plan.resource_version = plan.SlotOf(static_cast<uint64_t>(version->number()));
      plan.streamable &= !version->is_repeated();
    }
    if (const FieldDescriptor* managed = plan.type->FindFieldByName("managedFields")) {
      plan.managed_fields = plan.SlotOf(static_cast<uint64_t>(managed->number()));
    }
    plan.name = SlotNamed(plan, "name", CppType::CPPTYPE_STRING);
    const FieldDescriptor* created = plan.type->FindFieldByName("creationTimestamp");
    if (created && !created->is_repeated() && created->cpp_type() == CppType::CPPTYPE_MESSAGE &&
        created->message_type()->name() == "Time") {
      plan.creation_timestamp = plan.SlotOf(static_cast<uint64_t>(created->number()));
    }
  }
  const FieldDescriptor* metadata = plan.type->FindFieldByName("metadata");
  if (metadata && metadata->cpp_type() == CppType::CPPTYPE_MESSAGE && !metadata->is_repeated() &&
      metadata->message_type()->name() == "ObjectMeta") {
    plan.metadata = plan.SlotOf(static_cast<uint64_t>(metadata->number()));
  }
}

// Go's encoding/json rules as the streaming renderer applies them to a
// field the object lacks: untagged fields are printed only when set; an
// inline struct always adds its fields; a nil slice, map or pointer is
// null unless omitempty/omitzero; a missing scalar is omitted under either
// tag, a missing struct only under omitzero.
bool WritesWhenAbsent(const FieldPlan& field) {
  if (!field.tagged) return false;
  if (field.inline_struct) return !field.pointer;
  if (field.repeated || field.pointer) return !field.omitempty && !field.omitzero;
  return !field.omitzero && !(field.omitempty && field.value != WireValue::kMessage);
}

// The keys a plan prints at its own level, inline structs' included;
// false when inline structs nest implausibly deep.
bool CollectKeys(const MessagePlan& plan, std::vector<std::string_view>& keys, int depth) {
  if (depth > 16) return false;
  for (const FieldPlan& field : plan.fields) {
    if (field.inline_struct) {
      if (!CollectKeys(*field.message, keys, depth + 1)) return false;
    } else {
      keys.push_back(field.key);
    }
  }
  return true;
}

void CheckKeys(MessagePlan& plan) {
  std::vector<std::string_view> keys;
  if (!CollectKeys(plan, keys, 0)) {
    plan.streamable = false;
    return;
  }
  std::set<std::string_view> unique;
  for (std::string_view key : keys) {
    // The DOM renderer overwrites a repeated key in place.
    if (!unique.insert(key).second) plan.streamable = false;
    if (key == "\"kind\":" || key == "\"apiVersion\":") plan.has_type_meta_keys = true;
  }
}

}  // namespace

const MessagePlan* RenderPlans::For(const Descriptor& type, const JsonTags& tags) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto found = plans_.find(&type); found != plans_.end()) return found->second.get();
  std::vector<MessagePlan*> built;
  const MessagePlan* plan = Build(type, tags, built);
  Finish(built);
  return plan;
}

MessagePlan* RenderPlans::Build(const Descriptor& type, const JsonTags& tags,
                                std::vector<MessagePlan*>& built) {
  if (auto found = plans_.find(&type); found != plans_.end()) return found->second.get();
  MessagePlan& plan = *(plans_[&type] = std::make_unique<MessagePlan>());
  built.push_back(&plan);
  plan.type = &type;
  plan.special = ClassifyType(type, tags);
  // proto3 has implicit presence and checks UTF-8; the DOM renderer
  // handles what that changes.
  if (type.file()->syntax() != google::protobuf::FileDescriptor::SYNTAX_PROTO2) plan.streamable = false;

  auto add = [&](const FieldDescriptor& field, const JsonFieldTag* tag) {
    FieldPlan& added = plan.fields.emplace_back();
    added.number = field.number();
    added.repeated = field.is_repeated();
    added.map = field.is_map();
    const std::string& name = tag && !tag->json_name.empty() ? tag->json_name : field.name();
    added.key = JsonText(nlohmann::json(name)) + ":";
    if (!WireValueOf(field, &added.value) || field.has_default_value() || field.is_required() ||
        field.real_containing_oneof() != nullptr) {
      plan.streamable = false;
    }
    if (added.value == WireValue::kMessage) added.message = Build(*field.message_type(), tags, built);
    if (tag != nullptr) {
      added.tagged = true;
      added.inline_struct = tag->inline_struct && !added.repeated && added.message != nullptr;
      added.omitempty = tag->omitempty;
      added.omitzero = tag->omitzero;
      added.pointer = tag->pointer;
    }
  };
  std::set<int> tagged;
  if (const std::vector<JsonFieldTag>* field_tags = tags.Find(type.full_name())) {
    for (const JsonFieldTag& tag : *field_tags) {
      const FieldDescriptor* field = type.FindFieldByNumber(tag.number);
      if (field == nullptr) continue;
      if (!tagged.insert(tag.number).second) plan.streamable = false;  // listed twice
      add(*field, &tag);
    }
  }
  for (int i = 0; i < type.field_count(); ++i) {
    if (!tagged.count(type.field(i)->number())) add(*type.field(i), nullptr);
  }

  int max_number = 0;
  for (const FieldPlan& field : plan.fields) max_number = std::max(max_number, field.number);
  if (max_number > kMaxSlotTableNumber) {
    plan.streamable = false;
  } else {
    plan.slot_by_number.assign(static_cast<size_t>(max_number) + 1, {});
    for (size_t slot = 0; slot < plan.fields.size(); ++slot) {
      const FieldPlan& field = plan.fields[slot];
      plan.slot_by_number[static_cast<size_t>(field.number)] = {static_cast<int16_t>(slot), WireTypeOf(field.value),
                                                               field.repeated};
    }
  }
  FindNamedSlots(plan);
  for (size_t slot = 0; slot < plan.fields.size(); ++slot) {
    const int s = static_cast<int>(slot);
    if (WritesWhenAbsent(plan.fields[slot]) || s == plan.metadata || s == plan.resource_version) {
      plan.written_when_absent.push_back(static_cast<uint16_t>(slot));
    }
  }
  return &plan;
}

void RenderPlans::Finish(const std::vector<MessagePlan*>& built) {
  for (MessagePlan* plan : built) {
    for (const FieldPlan& field : plan->fields) {
      // The DOM renderer drops an inline struct that does not print as an object.
      if (field.inline_struct && field.message->special != SpecialType::kNone) plan->streamable = false;
    }
    if (plan->streamable) CheckKeys(*plan);
  }
  // A plan streams only when everything it may contain does.
  for (bool changed = true; changed;) {
    changed = false;
    for (MessagePlan* plan : built) {
      if (!plan->streamable) continue;
      for (const FieldPlan& field : plan->fields) {
        if (field.message != nullptr && !field.message->streamable) {
          plan->streamable = false;
          changed = true;
          break;
        }
      }
    }
  }
}

}  // namespace ketcd::k8s
