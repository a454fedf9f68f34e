#include "cli/output.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cmath>
#include <cstdio>
#include <ctime>

#include "util/json_text.h"
#include "util/proto_scalar.h"
#include "util/utc_time.h"
#include "util/yaml_writer.h"

namespace ketcd::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// A field value; nested messages recurse through ProtoToEtcdJson.
Json FieldValue(const Message& message, const FieldDescriptor& field, int index) {
  if (field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return ScalarFieldToJson(message, field, index);
  }
  const Reflection& r = *message.GetReflection();
  return ProtoToEtcdJson(index >= 0 ? r.GetRepeatedMessage(message, &field, index)
                                    : r.GetMessage(message, &field));
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
      for (int j = 0; j < size; ++j) array.push_back(FieldValue(message, field, j));
      object[field.name()] = std::move(array);
      continue;
    }
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!reflection.HasField(message, &field)) continue;
      object[field.name()] = FieldValue(message, field, -1);
      continue;
    }
    Json value = FieldValue(message, field, -1);
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

void PrintColumns(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& right_aligned) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string padding(widths[i] - row[i].size(), ' ');
      const bool right = i < right_aligned.size() && right_aligned[i];
      const bool last = i + 1 == row.size();
      line += right ? padding + row[i] : row[i] + (last ? "" : padding);
      if (!last) line += "   ";
    }
    out << line << "\n";
  }
}

void PrintSimpleRow(std::ostream& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? ", " : "") << cells[i];
  out << "\n";
}

std::string DefaultBackupPath(const std::string& what) {
  return "ketcd-" + what + "-" + CompactUtc(std::time(nullptr)) + ".db";
}

}  // namespace ketcd::cli
