#include "k8s/storage_envelope.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace ketcd::k8s {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Reads a length-delimited field's payload as a view into `data`.
bool ReadBytes(CodedInputStream& in, std::string_view data, std::string_view* out) {
  uint32_t length;
  if (!in.ReadVarint32(&length)) return false;
  int position = in.CurrentPosition();
  if (length > data.size() - static_cast<size_t>(position)) return false;
  *out = data.substr(static_cast<size_t>(position), length);
  return in.Skip(static_cast<int>(length));
}

Status ParseTypeMeta(std::string_view data, StorageEnvelope* envelope) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(data.data()), static_cast<int>(data.size()));
  while (uint32_t tag = in.ReadTag()) {
    std::string_view bytes;
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) return DataLoss("typeMeta: malformed field");
      continue;
    }
    if (!ReadBytes(in, data, &bytes)) return DataLoss("typeMeta: truncated field");
    switch (WireFormatLite::GetTagFieldNumber(tag)) {
      case 1:
        envelope->api_version = std::string(bytes);
        break;
      case 2:
        envelope->kind = std::string(bytes);
        break;
      default:
        break;
    }
  }
  if (!in.ConsumedEntireMessage()) return DataLoss("typeMeta: malformed");
  return Status::Ok();
}

}  // namespace

StorageEncoding DetectStorageEncoding(std::string_view value) {
  if (value.substr(0, kProtobufMagic.size()) == kProtobufMagic) return StorageEncoding::kProtobuf;
  if (value.rfind("k8s:enc:", 0) == 0) return StorageEncoding::kEncrypted;
  if (value.substr(0, 3) == "\xd9\xd9\xf7") return StorageEncoding::kCbor;
  size_t first = value.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && value[first] == '{') return StorageEncoding::kJson;
  return StorageEncoding::kUnknown;
}

const char* StorageEncodingName(StorageEncoding encoding) {
  switch (encoding) {
    case StorageEncoding::kProtobuf:
      return "protobuf";
    case StorageEncoding::kJson:
      return "json";
    case StorageEncoding::kCbor:
      return "cbor";
    case StorageEncoding::kEncrypted:
      return "encrypted";
    case StorageEncoding::kUnknown:
      break;
  }
  return "unknown";
}

Result<StorageEnvelope> ParseStorageEnvelope(std::string_view value) {
  if (DetectStorageEncoding(value) != StorageEncoding::kProtobuf) {
    return InvalidArgument("not a protobuf-encoded Kubernetes object (no k8s\\0 magic)");
  }
  std::string_view data = value.substr(kProtobufMagic.size());
  if (data.size() > static_cast<size_t>(INT32_MAX)) return DataLoss("value too large");
  CodedInputStream in(reinterpret_cast<const uint8_t*>(data.data()), static_cast<int>(data.size()));
  StorageEnvelope envelope;
  while (uint32_t tag = in.ReadTag()) {
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) return DataLoss("envelope: malformed field");
      continue;
    }
    std::string_view bytes;
    if (!ReadBytes(in, data, &bytes)) return DataLoss("envelope: truncated field");
    switch (WireFormatLite::GetTagFieldNumber(tag)) {
      case 1:
        KETCD_RETURN_IF_ERROR(ParseTypeMeta(bytes, &envelope));
        break;
      case 2:
        envelope.raw = bytes;
        break;
      case 3:
        envelope.content_encoding = std::string(bytes);
        break;
      case 4:
        envelope.content_type = std::string(bytes);
        break;
      default:
        break;
    }
  }
  if (!in.ConsumedEntireMessage()) return DataLoss("envelope: malformed");
  // An absent raw field is an object with every field at its default.
  if (envelope.kind.empty()) return DataLoss("envelope: no kind");
  return envelope;
}

}  // namespace ketcd::k8s
