#include "cli/output.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cmath>
#include <cstdio>

#include "util/base64.h"
#include "util/json_text.h"
#include "util/yaml_writer.h"

namespace ketcd::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

Json ScalarField(const Message& message, const Reflection& reflection, const FieldDescriptor& field,
                 int index) {
  const bool repeated = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return repeated ? reflection.GetRepeatedInt32(message, &field, index)
                      : reflection.GetInt32(message, &field);
    case FieldDescriptor::CPPTYPE_INT64:
      return repeated ? reflection.GetRepeatedInt64(message, &field, index)
                      : reflection.GetInt64(message, &field);
    case FieldDescriptor::CPPTYPE_UINT32:
      return repeated ? reflection.GetRepeatedUInt32(message, &field, index)
                      : reflection.GetUInt32(message, &field);
    case FieldDescriptor::CPPTYPE_UINT64:
      return repeated ? reflection.GetRepeatedUInt64(message, &field, index)
                      : reflection.GetUInt64(message, &field);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return repeated ? reflection.GetRepeatedDouble(message, &field, index)
                      : reflection.GetDouble(message, &field);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return repeated ? reflection.GetRepeatedFloat(message, &field, index)
                      : reflection.GetFloat(message, &field);
    case FieldDescriptor::CPPTYPE_BOOL:
      return repeated ? reflection.GetRepeatedBool(message, &field, index)
                      : reflection.GetBool(message, &field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return repeated ? reflection.GetRepeatedEnumValue(message, &field, index)
                      : reflection.GetEnumValue(message, &field);
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value = repeated ? reflection.GetRepeatedString(message, &field, index)
                                   : reflection.GetString(message, &field);
      // Go's encoding/json prints []byte as base64.
      if (field.type() == FieldDescriptor::TYPE_BYTES) return Base64Encode(value);
      return value;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return ProtoToEtcdJson(repeated ? reflection.GetRepeatedMessage(message, &field, index)
                                      : reflection.GetMessage(message, &field));
  }
  return nullptr;
}

bool IsZero(const Json& value) {
  return value.is_null() || value == 0 || value == false || value == "" ||
         (value.is_object() && value.empty());
}

std::string Center(const std::string& text, size_t width) {
  size_t pad = width - text.size();
  return std::string(pad / 2, ' ') + text + std::string(pad - pad / 2, ' ');
}

}  // namespace

Result<OutputFormat> ResolveOutputFormat(const std::string& write_out, const std::string& output) {
  if (!write_out.empty() && !output.empty()) {
    return InvalidArgument("use either -w/--write-out or -o/--output, not both");
  }
  const std::string& name = write_out.empty() ? output : write_out;
  if (name.empty() || name == "simple") return OutputFormat::kSimple;
  if (name == "table" || name == "wide") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  if (name == "yaml") return OutputFormat::kYaml;
  if (name == "jsonl") return OutputFormat::kJsonLines;
  return InvalidArgument("unknown output format \"" + name +
                         "\" (simple, table, wide, json, yaml, jsonl)");
}

Json ProtoToEtcdJson(const Message& message) {
  Json object = Json::object();
  const auto* descriptor = message.GetDescriptor();
  const Reflection& reflection = *message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor& field = *descriptor->field(i);
    if (field.is_repeated()) {
      int size = reflection.FieldSize(message, &field);
      if (size == 0) continue;  // omitempty
      Json array = Json::array();
      for (int j = 0; j < size; ++j) array.push_back(ScalarField(message, reflection, field, j));
      object[field.name()] = std::move(array);
      continue;
    }
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!reflection.HasField(message, &field)) continue;
      object[field.name()] = ScalarField(message, reflection, field, 0);
      continue;
    }
    Json value = ScalarField(message, reflection, field, 0);
    if (!IsZero(value)) object[field.name()] = std::move(value);
  }
  return object;
}

std::string ToYaml(const Json& document) { return ToKubectlYaml(document); }

void PrintDocument(std::ostream& out, const Json& document, OutputFormat format) {
  if (format == OutputFormat::kYaml) {
    out << ToYaml(document);
  } else {
    out << JsonText(document) << "\n";
  }
}

std::string HexId(uint64_t id) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%llx", static_cast<unsigned long long>(id));
  return buffer;
}

std::string HumanBytes(uint64_t bytes) {
  // go-humanize's Bytes: base 1000, one decimal below 10 units.
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 10) return std::to_string(bytes) + " B";
  int exponent = static_cast<int>(std::floor(std::log(double(bytes)) / std::log(1000.0)));
  double value = std::floor(double(bytes) / std::pow(1000.0, exponent) * 10 + 0.5) / 10;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, value < 10 ? "%.1f %s" : "%.0f %s", value, kUnits[exponent]);
  return buffer;
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const auto& header : headers_) widths.push_back(header.size());
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string rule = "+";
  for (size_t width : widths) rule += std::string(width + 2, '-') + "+";
  out << rule << "\n|";
  for (size_t i = 0; i < headers_.size(); ++i) out << " " << Center(headers_[i], widths[i]) << " |";
  out << "\n" << rule << "\n";
  for (const auto& row : rows_) {
    out << "|";
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      out << " " << std::string(widths[i] - cell.size(), ' ') << cell << " |";
    }
    out << "\n";
  }
  out << rule << "\n";
}

void PrintSimpleRow(std::ostream& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? ", " : "") << cells[i];
  out << "\n";
}

}  // namespace ketcd::cli
