#include "migrate/wire_edit.h"

#include "k8s/storage_envelope.h"
#include "util/varint.h"

namespace ketcd::migrate {
namespace {

constexpr int kRuntimeUnknownRaw = 2;  // runtime.Unknown: typeMeta 1, raw 2

// One field as it sits in the message: its tag bytes, and for a
// length-delimited field, its contents.
struct WireField {
  int number = 0;
  int wire_type = 0;
  std::string_view tag;       // the tag varint, as written
  std::string_view contents;  // wire type 2 only
  std::string_view whole;     // tag through the end of the value
  uint64_t varint = 0;        // wire type 0 only
};

// Reads the next field of `input` and advances past it.
Result<WireField> NextField(std::string_view& input) {
  const std::string_view start = input;
  WireField field;
  uint64_t key = 0;
  if (!ReadVarint(input, &key)) return DataLoss("truncated field tag");
  field.tag = start.substr(0, start.size() - input.size());
  field.number = static_cast<int>(key >> 3);
  field.wire_type = static_cast<int>(key & 7);
  switch (field.wire_type) {
    case 0:
      if (!ReadVarint(input, &field.varint)) return DataLoss("truncated varint");
      break;
    case 1:
    case 5: {
      const size_t size = field.wire_type == 1 ? 8 : 4;
      if (input.size() < size) return DataLoss("truncated fixed-width field");
      input.remove_prefix(size);
      break;
    }
    case 2: {
      uint64_t length = 0;
      if (!ReadVarint(input, &length) || length > input.size()) {
        return DataLoss("field " + std::to_string(field.number) + ": length past the end");
      }
      field.contents = input.substr(0, length);
      input.remove_prefix(length);
      break;
    }
    default:
      return DataLoss("field " + std::to_string(field.number) + ": unsupported wire type " +
                      std::to_string(field.wire_type));
  }
  field.whole = start.substr(0, start.size() - input.size());
  return field;
}

// `counter` numbers the fields reached by the whole path across recursion.
Result<std::optional<std::string>> Edit(std::string_view message, std::span<const int> path,
                                        const FieldEditor& edit, int& counter) {
  std::string out;
  bool changed = false;
  std::string_view rest = message;
  while (!rest.empty()) {
    auto field = NextField(rest);
    if (!field.ok()) return field.status();
    if (field->number != path.front() || field->wire_type != 2) {
      out.append(field->whole);
      continue;
    }
    Result<std::optional<std::string>> replacement =
        path.size() == 1 ? edit(field->contents, counter++)
                         : Edit(field->contents, path.subspan(1), edit, counter);
    if (!replacement.ok()) return replacement.status();
    if (!replacement->has_value()) {
      out.append(field->whole);
      continue;
    }
    changed = true;
    out.append(field->tag);
    AppendVarint(out, (*replacement)->size());
    out.append(**replacement);
  }
  if (!changed) return std::optional<std::string>();
  return std::optional<std::string>(std::move(out));
}

Result<std::string_view> StoredObjectMessage(std::string_view value) {
  if (k8s::DetectStorageEncoding(value) != k8s::StorageEncoding::kProtobuf) {
    return InvalidArgument("not a protobuf-encoded Kubernetes object");
  }
  return value.substr(k8s::kProtobufMagic.size());
}

std::vector<int> UnderRaw(std::span<const int> path) {
  std::vector<int> full{kRuntimeUnknownRaw};
  full.insert(full.end(), path.begin(), path.end());
  return full;
}

}  // namespace

Result<std::string> EditFields(std::string_view message, std::span<const int> path,
                               const FieldEditor& edit) {
  if (path.empty()) return InvalidArgument("empty field path");
  int counter = 0;
  auto edited = Edit(message, path, edit, counter);
  if (!edited.ok()) return edited.status();
  return edited->has_value() ? std::move(**edited) : std::string(message);
}

Result<std::vector<std::string_view>> ReadFields(std::string_view message,
                                                 std::span<const int> path) {
  std::vector<std::string_view> found;
  auto status = EditFields(message, path, [&](std::string_view contents, int) {
    found.push_back(contents);
    return Result<std::optional<std::string>>(std::nullopt);
  });
  if (!status.ok()) return status.status();
  return found;
}

Result<std::optional<uint64_t>> ReadVarintField(std::string_view message, int number) {
  std::optional<uint64_t> value;
  while (!message.empty()) {
    auto field = NextField(message);
    if (!field.ok()) return field.status();
    if (field->number == number && field->wire_type == 0) value = field->varint;
  }
  return value;
}

Result<std::string> EditStoredObject(std::string_view value, std::span<const int> path,
                                     const FieldEditor& edit) {
  auto message = StoredObjectMessage(value);
  if (!message.ok()) return message.status();
  auto edited = EditFields(*message, UnderRaw(path), edit);
  if (!edited.ok()) return edited.status();
  return std::string(k8s::kProtobufMagic) + *edited;
}

Result<std::vector<std::string_view>> ReadStoredObject(std::string_view value,
                                                       std::span<const int> path) {
  auto message = StoredObjectMessage(value);
  if (!message.ok()) return message.status();
  return ReadFields(*message, UnderRaw(path));
}

}  // namespace ketcd::migrate
