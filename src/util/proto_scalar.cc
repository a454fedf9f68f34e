#include "util/proto_scalar.h"

#include "util/base64.h"

namespace ketcd {

nlohmann::ordered_json ScalarFieldToJson(const google::protobuf::Message& message,
                                         const google::protobuf::FieldDescriptor& field,
                                         int index) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection& r = *message.GetReflection();
  const bool repeated = index >= 0;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return repeated ? r.GetRepeatedInt32(message, &field, index) : r.GetInt32(message, &field);
    case FieldDescriptor::CPPTYPE_INT64:
      return repeated ? r.GetRepeatedInt64(message, &field, index) : r.GetInt64(message, &field);
    case FieldDescriptor::CPPTYPE_UINT32:
      return repeated ? r.GetRepeatedUInt32(message, &field, index) : r.GetUInt32(message, &field);
    case FieldDescriptor::CPPTYPE_UINT64:
      return repeated ? r.GetRepeatedUInt64(message, &field, index) : r.GetUInt64(message, &field);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return repeated ? r.GetRepeatedDouble(message, &field, index) : r.GetDouble(message, &field);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return repeated ? r.GetRepeatedFloat(message, &field, index) : r.GetFloat(message, &field);
    case FieldDescriptor::CPPTYPE_BOOL:
      return repeated ? r.GetRepeatedBool(message, &field, index) : r.GetBool(message, &field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return repeated ? r.GetRepeatedEnumValue(message, &field, index)
                      : r.GetEnumValue(message, &field);
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value =
          repeated ? r.GetRepeatedString(message, &field, index) : r.GetString(message, &field);
      // Go's encoding/json prints []byte as base64.
      if (field.type() == FieldDescriptor::TYPE_BYTES) return Base64Encode(value);
      return value;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return nullptr;
}

}  // namespace ketcd
