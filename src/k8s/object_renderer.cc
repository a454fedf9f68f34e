#include "k8s/object_renderer.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <set>

#include "k8s/cbor.h"
#include "k8s/read_conversions.h"
#include "k8s/special_types.h"
#include "k8s/storage_envelope.h"
#include "util/base64.h"
#include "util/duration.h"
#include "util/json_text.h"
#include "util/proto_scalar.h"
#include "util/utc_time.h"

namespace ketcd::k8s {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

constexpr const char* kUnknownFieldsKey = "ketcd.unknownFields";

std::string FormatTime(int64_t seconds, int32_t nanos, bool micro) {
  return micro ? Rfc3339MicroUtc(seconds, nanos) : Rfc3339Utc(seconds);
}

class Renderer {
 public:
  Renderer(const JsonTags& tags, std::vector<std::string>* warnings)
      : tags_(tags), warnings_(warnings) {}
  // `tags` must be those of the schema layer the rendered type comes from.

  Json Message(const google::protobuf::Message& message, const std::string& path) {
    const Descriptor* type = message.GetDescriptor();
    const Reflection& reflection = *message.GetReflection();
    if (auto special = SpecialType(message, *type, reflection)) return *special;
    Json object = Json::object();
    // nlohmann's object is a vector of pairs with a const key: growing it
    // copies every value already in it (deeply), so make room up front.
    object.get_ref<Json::object_t&>().reserve(static_cast<size_t>(type->field_count()) + 1);
    std::set<int> tagged;
    if (const auto* tags = tags_.Find(type->full_name())) {
      for (const JsonFieldTag& tag : *tags) {
        const FieldDescriptor* field = type->FindFieldByNumber(tag.number);
        if (field == nullptr) continue;
        tagged.insert(tag.number);
        AddTaggedField(message, *field, tag, path, object);
      }
    }
    // Fields without a Go tag (a schema newer than the table): proto names.
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor& field = *type->field(i);
      if (tagged.count(field.number())) continue;
      const std::string field_path = path + "." + field.name();
      if (field.is_map()) {
        if (reflection.FieldSize(message, &field) == 0) continue;
        object[field.name()] = Map(message, field, field_path);
      } else if (field.is_repeated()) {
        int size = reflection.FieldSize(message, &field);
        if (size == 0) continue;
        Json array = Json::array();
        for (int j = 0; j < size; ++j) array.push_back(Value(message, field, j, field_path));
        object[field.name()] = std::move(array);
      } else if (reflection.HasField(message, &field)) {
        Json value = Value(message, field, -1, field_path);
        // Go omits empty strings of optional fields; kept zero numbers and
        // false booleans may be pointers set on purpose (replicas: 0).
        if (value.is_string() && value.get_ref<const std::string&>().empty() &&
            field.type() == FieldDescriptor::TYPE_STRING) {
          continue;
        }
        object[field.name()] = std::move(value);
      }
    }
    const UnknownFieldSet& unknown = reflection.GetUnknownFields(message);
    if (!unknown.empty()) {
      warnings_->push_back(path + ": " + std::to_string(unknown.field_count()) +
                           " field(s) unknown to the schema, shown under " + kUnknownFieldsKey);
      object[kUnknownFieldsKey] = UnknownFields(unknown);
    }
    return object;
  }

 private:
  static bool IsZero(const Json& value) {
    return value.is_null() || (value.is_boolean() && !value.get<bool>()) ||
           (value.is_number() && value == 0) ||
           (value.is_string() && value.get_ref<const std::string&>().empty());
  }

  // Go's zero value of a struct: no field set to anything but its zero.
  static bool IsZeroMessage(const google::protobuf::Message& message) {
    const Reflection& r = *message.GetReflection();
    std::vector<const FieldDescriptor*> set;
    r.ListFields(message, &set);
    for (const FieldDescriptor* field : set) {
      if (field->is_repeated()) return false;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (!IsZeroMessage(r.GetMessage(message, field))) return false;
      } else if (!IsZero(ScalarFieldToJson(message, *field, -1))) {
        return false;
      }
    }
    return true;
  }

  // One field as Go's encoding/json prints it, following its struct tag.
  void AddTaggedField(const google::protobuf::Message& message, const FieldDescriptor& field,
                      const JsonFieldTag& tag, const std::string& path, Json& object) {
    const Reflection& r = *message.GetReflection();
    const std::string& name = tag.json_name.empty() ? field.name() : tag.json_name;
    const std::string field_path = path + "." + name;
    const bool singular_message =
        !field.is_repeated() && field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (tag.inline_struct && singular_message) {
      if (tag.pointer && !r.HasField(message, &field)) return;
      Json inner = Message(r.GetMessage(message, &field), path);
      if (inner.is_object()) {
        for (auto& [key, value] : inner.items()) object[key] = std::move(value);
      }
      return;
    }
    if (field.is_repeated()) {
      int size = r.FieldSize(message, &field);
      if (size == 0) {
        if (!tag.omitempty && !tag.omitzero) object[name] = nullptr;  // a nil slice or map
        return;
      }
      if (field.is_map()) {
        object[name] = Map(message, field, field_path);
        return;
      }
      Json array = Json::array();
      for (int j = 0; j < size; ++j) array.push_back(Value(message, field, j, field_path));
      object[name] = std::move(array);
      return;
    }
    if (tag.pointer && !r.HasField(message, &field)) {
      if (!tag.omitempty && !tag.omitzero) object[name] = nullptr;
      return;
    }
    Json value = Value(message, field, -1, field_path);
    // omitempty never drops a struct (Go), but drops zero scalars.
    if (tag.omitempty && !tag.pointer && !singular_message && IsZero(value)) return;
    // omitzero drops a struct too: one whose IsZero() says so (metav1.Time:
    // the empty message, rendered null) or whose every field is zero.
    if (tag.omitzero && !tag.pointer &&
        (IsZero(value) || (singular_message && IsZeroMessage(r.GetMessage(message, &field))))) {
      return;
    }
    object[name] = std::move(value);
  }

  // Types whose Go JSON form is not a plain object of their proto fields.
  std::optional<Json> SpecialType(const google::protobuf::Message& message, const Descriptor& type,
                                  const Reflection& reflection) {
    auto field = [&](const char* field_name) { return type.FindFieldByName(field_name); };
    switch (ClassifyType(type, tags_)) {
      case k8s::SpecialType::kTime:
      case k8s::SpecialType::kMicroTime: {
        // Go writes a zero time as an empty message (apimachinery
        // time_proto.go), and its JSON is null; seconds 0 is 1970.
        if (!reflection.HasField(message, field("seconds")) &&
            !reflection.HasField(message, field("nanos"))) {
          return Json(nullptr);
        }
        return Json(FormatTime(reflection.GetInt64(message, field("seconds")),
                               reflection.GetInt32(message, field("nanos")),
                               ClassifyType(type, tags_) == k8s::SpecialType::kMicroTime));
      }
      case k8s::SpecialType::kDuration:
        return Json(GoDurationString(reflection.GetInt64(message, field("duration"))));
      case k8s::SpecialType::kIntOrString:
        if (reflection.GetInt64(message, field("type")) == 1) {
          return Json(reflection.GetString(message, field("strVal")));
        }
        return Json(reflection.GetInt32(message, field("intVal")));
      case k8s::SpecialType::kQuantity:
        return Json(reflection.GetString(message, field("string")));
      case k8s::SpecialType::kInlineJson: {
        const FieldDescriptor* raw = field("raw") ? field("raw") : field("Raw");
        std::string bytes = raw ? reflection.GetString(message, raw) : "";
        if (bytes.empty()) return Json(nullptr);
        Json inline_json = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
        if (!inline_json.is_discarded()) return inline_json;
        return Json(Base64Encode(bytes));  // not JSON (e.g. CBOR): keep the bytes
      }
      case k8s::SpecialType::kSliceWrapper: {
        const FieldDescriptor& items = *type.field(0);
        Json array = Json::array();
        for (int j = 0; j < reflection.FieldSize(message, &items); ++j) {
          array.push_back(Value(message, items, j, type.name()));
        }
        return array;
      }
      case k8s::SpecialType::kNone:
        break;
    }
    return std::nullopt;
  }

  Json Map(const google::protobuf::Message& message, const FieldDescriptor& field,
           const std::string& path) {
    const Reflection& reflection = *message.GetReflection();
    const FieldDescriptor* key_field = field.message_type()->map_key();
    const FieldDescriptor* value_field = field.message_type()->map_value();
    Json object = Json::object();
    std::vector<std::pair<std::string, Json>> entries;
    for (int j = 0; j < reflection.FieldSize(message, &field); ++j) {
      const auto& entry = reflection.GetRepeatedMessage(message, &field, j);
      Json key = Value(entry, *key_field, -1, path);
      std::string key_text = key.is_string() ? key.get<std::string>() : JsonText(key);
      entries.emplace_back(key_text, Value(entry, *value_field, -1, path + "[" + key_text + "]"));
    }
    // Go's encoding/json sorts map keys.
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, value] : entries) object[key] = std::move(value);
    return object;
  }

  // One value of `field`: index >= 0 picks an element of a repeated field.
  Json Value(const google::protobuf::Message& message, const FieldDescriptor& field, int index,
             const std::string& path) {
    if (field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return ScalarFieldToJson(message, field, index);
    }
    const Reflection& r = *message.GetReflection();
    return Message(
        index >= 0 ? r.GetRepeatedMessage(message, &field, index) : r.GetMessage(message, &field),
        path);
  }

  const JsonTags& tags_;
  std::vector<std::string>* warnings_;

 public:
  static Json UnknownFields(const UnknownFieldSet& fields) {
    Json object = Json::object();
    std::set<std::string> repeated_keys;
    for (int i = 0; i < fields.field_count(); ++i) {
      const UnknownField& field = fields.field(i);
      Json value;
      switch (field.type()) {
        case UnknownField::TYPE_VARINT:
          value = field.varint();
          break;
        case UnknownField::TYPE_FIXED32:
          value = field.fixed32();
          break;
        case UnknownField::TYPE_FIXED64:
          value = field.fixed64();
          break;
        case UnknownField::TYPE_GROUP:
          value = UnknownFields(field.group());
          break;
        case UnknownField::TYPE_LENGTH_DELIMITED: {
          const std::string& bytes = field.length_delimited();
          UnknownFieldSet nested;
          if (!bytes.empty() && nested.ParseFromString(bytes) && !nested.empty() &&
              !IsPrintableText(bytes)) {
            value = UnknownFields(nested);
          } else if (IsPrintableText(bytes)) {
            value = bytes;
          } else {
            value = "base64:" + Base64Encode(bytes);
          }
          break;
        }
      }
      std::string key = std::to_string(field.number());
      // Repeated fields arrive as several entries with one number.
      if (object.contains(key)) {
        if (!repeated_keys.count(key)) {
          object[key] = Json::array({object[key]});
          repeated_keys.insert(key);
        }
        object[key].push_back(value);
      } else {
        object[key] = value;
      }
    }
    return object;
  }

  static bool IsPrintableText(std::string_view bytes) {
    if (bytes.empty()) return true;
    for (unsigned char c : bytes) {
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
    }
    // Valid UTF-8 only: nlohmann refuses to dump anything else.
    try {
      (void)Json(std::string(bytes)).dump();
      return true;
    } catch (const nlohmann::json::exception&) {
      return false;
    }
  }
};

// The read view applied to a decoded message, before rendering, so that the
// Go field order and omitempty rules place what it adds.
void ApplyReadView(const ReadView& view, google::protobuf::Message& object) {
  const FieldDescriptor* metadata = object.GetDescriptor()->FindFieldByName("metadata");
  if (metadata == nullptr || metadata->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
      metadata->is_repeated() || metadata->message_type()->name() != "ObjectMeta") {
    return;
  }
  const Reflection& reflection = *object.GetReflection();
  google::protobuf::Message& meta = *reflection.MutableMessage(&object, metadata);
  const Descriptor& meta_type = *meta.GetDescriptor();
  const FieldDescriptor* version = meta_type.FindFieldByName("resourceVersion");
  if (view.mod_revision > 0 && version && version->type() == FieldDescriptor::TYPE_STRING) {
    meta.GetReflection()->SetString(&meta, version, std::to_string(view.mod_revision));
  }
  const FieldDescriptor* managed = meta_type.FindFieldByName("managedFields");
  if (view.hide_managed_fields && managed) meta.GetReflection()->ClearField(&meta, managed);
}

// The same for an object stored as JSON (custom resources). The API server
// prints those with sorted keys (a Go map): resourceVersion goes in its place.
void ApplyReadView(const ReadView& view, Json& object) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) return;
  Json& meta = object["metadata"];
  if (view.hide_managed_fields) meta.erase("managedFields");
  if (view.mod_revision <= 0) return;
  Json placed = Json::object();
  const std::string key = "resourceVersion";
  for (auto& [name, value] : meta.items()) {
    if (name > key && !placed.contains(key)) placed[key] = std::to_string(view.mod_revision);
    if (name != key) placed[name] = std::move(value);
  }
  if (!placed.contains(key)) placed[key] = std::to_string(view.mod_revision);
  meta = std::move(placed);
}

}  // namespace

Json RenderWireFields(std::string_view bytes) {
  UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Json("base64:" + Base64Encode(bytes));
  }
  return Renderer::UnknownFields(fields);
}

Result<RenderedObject> RenderObject(const Schema& schema, const Descriptor& type,
                                    std::string_view api_version, std::string_view kind,
                                    std::string_view raw, const ReadView& view) {
  std::unique_ptr<google::protobuf::Message> message = schema.NewMessage(type);
  if (!message->ParseFromArray(raw.data(), static_cast<int>(raw.size()))) {
    return DataLoss(std::string(kind) + ": object bytes do not parse as " + type.full_name());
  }
  ApplyReadView(view, *message);
  RenderedObject rendered;
  Renderer renderer(schema.TagsFor(type), &rendered.warnings);
  Json body = renderer.Message(*message, std::string(kind));
  rendered.object = Json::object();
  rendered.object["kind"] = std::string(kind);
  rendered.object["apiVersion"] = std::string(api_version);
  for (auto& [key, value] : body.items()) rendered.object[key] = std::move(value);
  if (view.read_conversions) ApplyReadConversions(rendered.object);
  return rendered;
}

Result<RenderedObject> RenderStoredValue(const Schema& schema, std::string_view value,
                                         const ReadView& view) {
  StorageEncoding encoding = DetectStorageEncoding(value);
  switch (encoding) {
    case StorageEncoding::kJson: {
      Json object = Json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (object.is_discarded()) return DataLoss("value looks like JSON but does not parse");
      ApplyReadView(view, object);
      return RenderedObject{std::move(object), {}};
    }
    case StorageEncoding::kCbor: {
      auto object = CborToJson(value);
      if (!object.ok()) return object.status();
      ApplyReadView(view, *object);
      return RenderedObject{std::move(*object), {}};
    }
    case StorageEncoding::kProtobuf:
      break;
    case StorageEncoding::kEncrypted:
      return InvalidArgument("the value is encrypted at rest (k8s:enc:): it needs the API server's "
                             "--encryption-config to decrypt");
    case StorageEncoding::kUnknown:
      if (value.empty()) return InvalidArgument("the value is empty: there is no object to decode");
      return InvalidArgument("not a stored Kubernetes object: no protobuf envelope (k8s\\0 magic), "
                             "not JSON, not CBOR (expected an object's bytes as the API server "
                             "stores them in etcd)");
  }
  auto envelope = ParseStorageEnvelope(value);
  if (!envelope.ok()) return envelope.status();
  const Descriptor* type = schema.FindKind(envelope->api_version, envelope->kind);
  if (type == nullptr) {
    RenderedObject raw;
    raw.object = Json::object();
    raw.object["kind"] = envelope->kind;
    raw.object["apiVersion"] = envelope->api_version;
    raw.object[kUnknownFieldsKey] = RenderWireFields(envelope->raw);
    raw.warnings.push_back(envelope->api_version + " " + envelope->kind + ": not in schema " +
                           schema.origin() + "; shown as raw numbered fields");
    return raw;
  }
  return RenderObject(schema, *type, envelope->api_version, envelope->kind, envelope->raw, view);
}

}  // namespace ketcd::k8s
