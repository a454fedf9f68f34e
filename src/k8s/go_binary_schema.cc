#include "k8s/go_binary_schema.h"

#include <google/protobuf/descriptor.pb.h>
#include <zlib.h>

#include <map>
#include <vector>

namespace ketcd::k8s {
namespace {

// gzip: magic, deflate, no flags, no mtime, "best compression", unknown OS.
constexpr std::string_view kGoGzipHeader("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff", 10);
// No Kubernetes descriptor comes near this; it bounds a corrupt stream.
constexpr size_t kMaxDescriptorBytes = 16 << 20;

// Inflates the gzip member at the start of `input`; false when it is not one.
bool Gunzip(std::string_view input, std::string& output) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return false;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(std::min<size_t>(input.size(), UINT32_MAX));
  output.clear();
  char buffer[1 << 16];
  int result = Z_OK;
  while (result == Z_OK && output.size() < kMaxDescriptorBytes) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    output.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  return result == Z_STREAM_END;
}

}  // namespace

bool LooksLikeExecutable(std::string_view bytes) { return bytes.substr(0, 4) == "\x7f" "ELF"; }

Result<std::string> DescriptorSetFromGoBinary(std::string_view binary) {
  std::map<std::string, google::protobuf::FileDescriptorProto> files;  // by name, deduplicated
  std::string inflated;
  for (size_t at = binary.find(kGoGzipHeader); at != std::string_view::npos;
       at = binary.find(kGoGzipHeader, at + 1)) {
    if (!Gunzip(binary.substr(at), inflated)) continue;
    google::protobuf::FileDescriptorProto file;
    if (!file.ParseFromString(inflated) || file.name().rfind("k8s.io/", 0) != 0) continue;
    files.emplace(file.name(), std::move(file));
  }
  if (files.empty()) return NotFound("no Kubernetes protobuf descriptors in the binary");
  // A .proto without messages (k8s.io/apimachinery/pkg/runtime/schema/
  // generated.proto) may not be in the binary at all; an empty file stands
  // in for such imports (a file that used types from it would fail to build).
  std::vector<std::string> missing;
  for (const auto& [name, file] : files) {
    for (const auto& dependency : file.dependency()) {
      if (!files.count(dependency)) missing.push_back(dependency);
    }
  }
  for (const auto& name : missing) files[name].set_name(name);
  google::protobuf::FileDescriptorSet set;
  for (auto& [name, file] : files) *set.add_file() = std::move(file);
  return set.SerializeAsString();
}

}  // namespace ketcd::k8s
