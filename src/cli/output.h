// Printing helpers shared by the subcommands: output formats, etcdctl-style
// tables, and protobuf responses rendered as etcdctl's JSON.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "util/hex_id.h"
#include "util/status.h"

namespace ketcd::cli {

using Json = nlohmann::ordered_json;

enum class OutputFormat { kSimple, kTable, kJson, kYaml, kJsonLines };

// Combines etcdctl's -w/--write-out (simple|table|json|yaml) and kubectl's
// -o/--output (json|yaml|table|wide; wide = table; jsonl for streams).
// Empty strings mean unset.
Result<OutputFormat> ResolveOutputFormat(const std::string& write_out, const std::string& output);

// json, yaml and jsonl: formats that print documents rather than text.
inline bool IsStructured(OutputFormat format) {
  return format == OutputFormat::kJson || format == OutputFormat::kYaml ||
         format == OutputFormat::kJsonLines;
}

// A message as etcdctl -w json prints it: proto field names, zero values
// omitted, 64-bit integers as numbers, bytes as base64, enums as numbers.
Json ProtoToEtcdJson(const google::protobuf::Message& message);

// Prints `document` as JSON (one line, as etcdctl does) or YAML.
void PrintDocument(std::ostream& out, const Json& document, OutputFormat format);
std::string ToYaml(const Json& document);

using ::ketcd::HexId;
// Byte counts as etcdctl's tables print them (SI units: "25 kB").
std::string HumanBytes(uint64_t bytes);

// Where a command saves its safety snapshot unless told: in the current
// directory, "ketcd-<what>-<UTC time>.db".
std::string DefaultBackupPath(const std::string& what);

// A bordered table like etcdctl's: centred headers, right-aligned cells.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Columns as kubectl prints them: three spaces apart, no borders, text
// left-aligned and the columns `right_aligned` marks (numbers) right-aligned.
// The first row is the header.
void PrintColumns(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& right_aligned = {});

// Prints rows as etcdctl's simple format: cells joined by ", ".
void PrintSimpleRow(std::ostream& out, const std::vector<std::string>& cells);

}  // namespace ketcd::cli
