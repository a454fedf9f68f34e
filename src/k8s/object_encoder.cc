#include "k8s/object_encoder.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cmath>
#include <ctime>
#include <set>

#include "k8s/special_types.h"
#include "k8s/storage_envelope.h"
#include "util/base64.h"
#include "util/duration.h"
#include "util/json_text.h"
#include "util/varint.h"

namespace ketcd::k8s {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

Status WrongType(const std::string& path, const char* expected, const Json& value) {
  return InvalidArgument(path + ": expected " + expected + ", got " +
                         JsonText(value).substr(0, 60));
}

class Encoder {
 public:
  explicit Encoder(const JsonTags& tags) : tags_(tags) {}

  // Fills `message` from the JSON object `value` at `path`. Keys used are
  // added to `used` so the caller can reject unknown ones.
  Status Fill(Message& message, const Json& value, const std::string& path) {
    const Descriptor& type = *message.GetDescriptor();
    bool handled = false;
    KETCD_RETURN_IF_ERROR(FillSpecial(message, type, value, path, &handled));
    if (handled) return Status::Ok();
    if (!value.is_object()) return WrongType(path, "an object", value);
    std::set<std::string> used;
    KETCD_RETURN_IF_ERROR(FillFields(message, value, path, used));
    for (const auto& [key, item] : value.items()) {
      // kind/apiVersion: the object's own, or an embedded object's TypeMeta,
      // which protobuf does not store (the API server adds some on read:
      // a StatefulSet's claim templates).
      if (!used.count(key) && key != "kind" && key != "apiVersion") {
        return InvalidArgument(path + "." + key + ": no such field in " + type.full_name());
      }
    }
    return Status::Ok();
  }

 private:
  // The fields of `message` from the keys of `object` (also used by inline
  // structs, which read their parent's keys).
  Status FillFields(Message& message, const Json& object, const std::string& path,
                    std::set<std::string>& used) {
    const Descriptor& type = *message.GetDescriptor();
    const Reflection& r = *message.GetReflection();
    std::set<int> tagged;
    if (const auto* tags = tags_.Find(type.full_name())) {
      for (const JsonFieldTag& tag : *tags) {
        const FieldDescriptor* field = type.FindFieldByNumber(tag.number);
        if (field == nullptr) continue;
        tagged.insert(tag.number);
        if (tag.inline_struct && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          KETCD_RETURN_IF_ERROR(FillFields(*r.MutableMessage(&message, field), object, path, used));
          continue;
        }
        const std::string& name = tag.json_name.empty() ? field->name() : tag.json_name;
        auto it = object.find(name);
        const bool given = it != object.end() && !it->is_null();
        if (it != object.end()) used.insert(name);
        if (given) {
          KETCD_RETURN_IF_ERROR(SetField(message, *field, *it, path + "." + name));
        } else if (!tag.pointer && !field->is_repeated()) {
          // gogo writes non-pointer fields even at their zero value.
          KETCD_RETURN_IF_ERROR(SetZero(message, *field));
        }
      }
    }
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor& field = *type.field(i);
      if (tagged.count(field.number())) continue;
      auto it = object.find(field.name());
      if (it == object.end()) continue;
      used.insert(field.name());
      if (!it->is_null()) {
        KETCD_RETURN_IF_ERROR(SetField(message, field, *it, path + "." + field.name()));
      }
    }
    return Status::Ok();
  }

  Status SetZero(Message& message, const FieldDescriptor& field) {
    const Reflection& r = *message.GetReflection();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        // A zero struct: present, with its own non-pointer fields at zero
        // (a zero time stays empty: Go writes nothing for it).
        Message* nested = r.MutableMessage(&message, &field);
        bool handled = false;
        KETCD_RETURN_IF_ERROR(
            FillSpecial(*nested, *nested->GetDescriptor(), Json(nullptr), "", &handled));
        if (handled) return Status::Ok();
        std::set<std::string> unused;
        return FillFields(*nested, Json::object(), "", unused);
      }
      case FieldDescriptor::CPPTYPE_STRING:
        r.SetString(&message, &field, "");
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        r.SetInt32(&message, &field, 0);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        r.SetInt64(&message, &field, 0);
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        r.SetUInt32(&message, &field, 0);
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        r.SetUInt64(&message, &field, 0);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        r.SetDouble(&message, &field, 0);
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        r.SetFloat(&message, &field, 0);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        r.SetBool(&message, &field, false);
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        r.SetEnumValue(&message, &field, 0);
        break;
    }
    return Status::Ok();
  }

  Status SetField(Message& message, const FieldDescriptor& field, const Json& value,
                  const std::string& path) {
    const Reflection& r = *message.GetReflection();
    if (field.is_map()) {
      if (!value.is_object()) return WrongType(path, "an object", value);
      const FieldDescriptor* key_field = field.message_type()->map_key();
      const FieldDescriptor* value_field = field.message_type()->map_value();
      for (const auto& [key, item] : value.items()) {
        Message* entry = r.AddMessage(&message, &field);
        KETCD_RETURN_IF_ERROR(SetScalar(*entry, *key_field, Json(key), path, -1));
        KETCD_RETURN_IF_ERROR(SetSingle(*entry, *value_field, item, path + "." + key));
      }
      return Status::Ok();
    }
    if (field.is_repeated()) {
      if (!value.is_array()) return WrongType(path, "an array", value);
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string item_path = path + "[" + std::to_string(i) + "]";
        if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          KETCD_RETURN_IF_ERROR(Fill(*r.AddMessage(&message, &field), value[i], item_path));
        } else {
          KETCD_RETURN_IF_ERROR(SetScalar(message, field, value[i], item_path, 1));
        }
      }
      return Status::Ok();
    }
    return SetSingle(message, field, value, path);
  }

  Status SetSingle(Message& message, const FieldDescriptor& field, const Json& value,
                   const std::string& path) {
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return Fill(*message.GetReflection()->MutableMessage(&message, &field), value, path);
    }
    return SetScalar(message, field, value, path, -1);
  }

  // Sets (repeated > 0: appends) one scalar.
  Status SetScalar(Message& message, const FieldDescriptor& field, const Json& value,
                   const std::string& path, int repeated) {
    const Reflection& r = *message.GetReflection();
    const bool add = repeated > 0;
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        if (!value.is_string()) return WrongType(path, "a string", value);
        std::string text = value.get<std::string>();
        if (field.type() == FieldDescriptor::TYPE_BYTES) {
          std::string bytes;
          if (!Base64Decode(text, &bytes)) return WrongType(path, "base64", value);
          text = std::move(bytes);
        }
        add ? r.AddString(&message, &field, text) : r.SetString(&message, &field, text);
        return Status::Ok();
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        if (!value.is_boolean()) return WrongType(path, "a boolean", value);
        add ? r.AddBool(&message, &field, value.get<bool>())
            : r.SetBool(&message, &field, value.get<bool>());
        return Status::Ok();
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        if (!value.is_number()) return WrongType(path, "a number", value);
        if (field.cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          add ? r.AddDouble(&message, &field, value.get<double>())
              : r.SetDouble(&message, &field, value.get<double>());
        } else {
          add ? r.AddFloat(&message, &field, value.get<float>())
              : r.SetFloat(&message, &field, value.get<float>());
        }
        return Status::Ok();
      default:
        break;
    }
    if (!value.is_number_integer()) return WrongType(path, "an integer", value);
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        add ? r.AddInt32(&message, &field, value.get<int32_t>())
            : r.SetInt32(&message, &field, value.get<int32_t>());
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        add ? r.AddInt64(&message, &field, value.get<int64_t>())
            : r.SetInt64(&message, &field, value.get<int64_t>());
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        add ? r.AddUInt32(&message, &field, value.get<uint32_t>())
            : r.SetUInt32(&message, &field, value.get<uint32_t>());
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        add ? r.AddUInt64(&message, &field, value.get<uint64_t>())
            : r.SetUInt64(&message, &field, value.get<uint64_t>());
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        add ? r.AddEnumValue(&message, &field, value.get<int>())
            : r.SetEnumValue(&message, &field, value.get<int>());
        break;
      default:
        return Internal(path + ": unexpected field type");
    }
    return Status::Ok();
  }

  // The reverse of the renderer's special types. `value` null: the type's
  // zero form.
  Status FillSpecial(Message& message, const Descriptor& type, const Json& value,
                     const std::string& path, bool* handled) {
    const Reflection& r = *message.GetReflection();
    auto field = [&](const char* field_name) { return type.FindFieldByName(field_name); };
    const SpecialType special = ClassifyType(type, tags_);
    *handled = special != SpecialType::kNone;
    switch (special) {
      case SpecialType::kTime:
      case SpecialType::kMicroTime: {
        if (value.is_null()) return Status::Ok();  // zero time: an empty message
        int64_t seconds;
        int32_t nanos;
        if (!value.is_string() || !ParseRfc3339(value.get<std::string>(), &seconds, &nanos)) {
          return WrongType(path, "an RFC 3339 time", value);
        }
        // metav1.Time keeps whole seconds only; MicroTime microseconds.
        r.SetInt64(&message, field("seconds"), seconds);
        r.SetInt32(&message, field("nanos"),
                   special == SpecialType::kMicroTime ? nanos / 1000 * 1000 : 0);
        return Status::Ok();
      }
      case SpecialType::kDuration: {
        int64_t nanoseconds = 0;
        if (!value.is_null() &&
            (!value.is_string() || !ParseGoDuration(value.get<std::string>(), &nanoseconds))) {
          return WrongType(path, "a duration", value);
        }
        r.SetInt64(&message, field("duration"), nanoseconds);
        return Status::Ok();
      }
      case SpecialType::kIntOrString: {
        const bool is_string = value.is_string();
        if (!is_string && !value.is_null() && !value.is_number_integer()) {
          return WrongType(path, "an integer or a string", value);
        }
        r.SetInt64(&message, field("type"), is_string ? 1 : 0);
        r.SetInt32(&message, field("intVal"), value.is_number_integer() ? value.get<int32_t>() : 0);
        r.SetString(&message, field("strVal"), is_string ? value.get<std::string>() : "");
        return Status::Ok();
      }
      case SpecialType::kQuantity: {
        std::string text = "0";
        if (value.is_string()) {
          text = value.get<std::string>();
        } else if (value.is_number()) {
          text = JsonText(value);
        } else if (!value.is_null()) {
          return WrongType(path, "a quantity", value);
        }
        r.SetString(&message, field("string"), text);
        return Status::Ok();
      }
      case SpecialType::kInlineJson: {
        const FieldDescriptor* raw = field("raw") ? field("raw") : field("Raw");
        if (raw == nullptr) return Internal(type.full_name() + " without raw field");
        if (!value.is_null()) r.SetString(&message, raw, JsonText(value));
        return Status::Ok();
      }
      case SpecialType::kSliceWrapper:
        if (value.is_null()) return Status::Ok();
        return SetField(message, *type.field(0), value, path);
      case SpecialType::kNone:
        break;
    }
    return Status::Ok();
  }

  const JsonTags& tags_;
};

// A length-delimited field: tag, length, bytes.
void AppendBytesField(std::string& out, int number, std::string_view bytes) {
  AppendVarint(out, (static_cast<uint64_t>(number) << 3) | 2);
  AppendVarint(out, bytes.size());
  out.append(bytes);
}

}  // namespace

bool ParseRfc3339(const std::string& text, int64_t* seconds, int32_t* nanos) {
  std::tm tm{};
  int year, month, day, hour, minute, second;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6 ||
      consumed != 19) {
    return false;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t result = timegm(&tm);
  size_t i = 19;
  int64_t fraction = 0;
  int digits = 0;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      if (digits < 9) fraction = fraction * 10 + (text[i] - '0'), ++digits;
    }
    if (digits == 0) return false;
  }
  while (digits < 9) fraction *= 10, ++digits;
  if (i >= text.size()) return false;
  if (text[i] == 'Z' || text[i] == 'z') {
    ++i;
  } else if (text[i] == '+' || text[i] == '-') {
    int offset_hours, offset_minutes;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &offset_hours, &offset_minutes) != 2) {
      return false;
    }
    int64_t offset = offset_hours * 3600 + offset_minutes * 60;
    result += text[i] == '+' ? -offset : offset;
    i += 6;
  } else {
    return false;
  }
  if (i != text.size()) return false;
  *seconds = result;
  *nanos = static_cast<int32_t>(fraction);
  return true;
}

Result<std::string> EncodeStoredObject(const Schema& schema, const Json& object) {
  if (!object.is_object() || !object.contains("kind") || !object.contains("apiVersion") ||
      !object["kind"].is_string() || !object["apiVersion"].is_string()) {
    return InvalidArgument("an object needs string \"kind\" and \"apiVersion\"");
  }
  const std::string kind = object["kind"].get<std::string>();
  const std::string api_version = object["apiVersion"].get<std::string>();
  const Descriptor* type = schema.FindKind(api_version, kind);
  if (type == nullptr) {
    return InvalidArgument(api_version + " " + kind + ": not in schema " + schema.origin() +
                           " (custom resources are stored as JSON)");
  }
  std::unique_ptr<Message> message = schema.NewMessage(*type);
  Encoder encoder(schema.TagsFor(*type));
  KETCD_RETURN_IF_ERROR(encoder.Fill(*message, object, ""));

  std::string raw;
  {
    google::protobuf::io::StringOutputStream stream(&raw);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);  // map entries sorted by key, as Go
    message->SerializeToCodedStream(&coded);
  }
  // runtime.Unknown: every field written, even the empty ones
  // (../shared/notes/k8s-storage.md 1.2).
  std::string type_meta;
  AppendBytesField(type_meta, 1, api_version);
  AppendBytesField(type_meta, 2, kind);
  std::string value(kProtobufMagic);
  AppendBytesField(value, 1, type_meta);
  AppendBytesField(value, 2, raw);
  AppendBytesField(value, 3, "");
  AppendBytesField(value, 4, "");
  return value;
}

}  // namespace ketcd::k8s
