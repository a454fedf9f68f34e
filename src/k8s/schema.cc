#include "k8s/schema.h"

#include <google/protobuf/descriptor.pb.h>

#include <fstream>
#include <sstream>

#include "k8s/builtin_schema.h"

namespace ketcd::k8s {
namespace {

using google::protobuf::Descriptor;

// "k8s.io.api.apps.v1" -> group package "apps", version "v1"; packages
// outside k8s.io.api (apimachinery) hold no stored kinds.
bool ApiPackageVersion(const std::string& package, std::string* group_package,
                       std::string* version) {
  const std::string prefix = "k8s.io.api.";
  if (package.rfind(prefix, 0) != 0) return false;
  std::string rest = package.substr(prefix.size());
  auto dot = rest.find('.');
  if (dot == std::string::npos) return false;
  *group_package = rest.substr(0, dot);
  *version = rest.substr(dot + 1);
  return true;
}

std::string_view NewestBuiltInTags() {
  auto blobs = BuiltInSchemaBlobs();
  return blobs.empty() ? std::string_view() : blobs.front().json_tags;
}

}  // namespace

std::string GroupPackageName(std::string_view group) {
  if (group.empty()) return "core";
  if (group == "internal.apiserver.k8s.io") return "apiserverinternal";
  return std::string(group.substr(0, group.find('.')));
}

Result<Schema::Layer> Schema::BuildLayer(std::string_view serialized, std::string origin,
                                         std::string_view tags) {
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return DataLoss(origin + ": not a FileDescriptorSet");
  }
  Layer layer;
  layer.origin = std::move(origin);
  layer.tags = JsonTags::Parse(tags);
  layer.pool = std::make_unique<google::protobuf::DescriptorPool>();
  // Files must be added after their imports; --include_imports lists
  // dependencies first, but any order is accepted.
  std::vector<const google::protobuf::FileDescriptorProto*> pending;
  for (const auto& file : set.file()) pending.push_back(&file);
  while (!pending.empty()) {
    std::vector<const google::protobuf::FileDescriptorProto*> still_pending;
    for (const auto* file : pending) {
      bool ready = true;
      for (const auto& dependency : file->dependency()) {
        if (!layer.pool->FindFileByName(dependency)) ready = false;
      }
      if (!ready) {
        still_pending.push_back(file);
      } else if (!layer.pool->BuildFile(*file)) {
        return DataLoss(layer.origin + ": invalid descriptor " + file->name());
      }
    }
    if (still_pending.size() == pending.size()) {
      return DataLoss(layer.origin + ": " + pending[0]->name() + " imports a missing file");
    }
    pending = std::move(still_pending);
  }
  for (const auto& file_proto : set.file()) {
    const auto* file = layer.pool->FindFileByName(file_proto.name());
    std::string group_package, version;
    if (!file || !ApiPackageVersion(file->package(), &group_package, &version)) continue;
    for (int i = 0; i < file->message_type_count(); ++i) {
      const Descriptor* message = file->message_type(i);
      layer.by_version_kind.emplace(version + "/" + message->name(), message);
      ++layer.message_count;
    }
  }
  return layer;
}

Result<std::unique_ptr<Schema>> Schema::FromDescriptorSet(std::string_view serialized,
                                                          std::string origin) {
  auto layer = BuildLayer(serialized, std::move(origin), NewestBuiltInTags());
  if (!layer.ok()) return layer.status();
  std::unique_ptr<Schema> schema(new Schema());
  schema->layers_.push_back(std::move(*layer));
  return schema;
}

Result<std::unique_ptr<Schema>> Schema::FromDescriptorSetFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot open");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return FromDescriptorSet(buffer.str(), path);
}

Result<std::unique_ptr<Schema>> Schema::BuiltIn() { return BuiltInVersion(""); }

Result<std::unique_ptr<Schema>> Schema::BuiltInVersion(std::string_view version) {
  std::unique_ptr<Schema> schema(new Schema());
  std::string known;
  for (const auto& blob : BuiltInSchemaBlobs()) {
    known += std::string(known.empty() ? "" : ", ") + blob.version;
    if (std::string_view(blob.version).find(version) == std::string_view::npos) continue;
    auto layer =
        BuildLayer(blob.descriptors, std::string("built-in ") + blob.version, blob.json_tags);
    if (!layer.ok()) return layer.status();
    schema->layers_.push_back(std::move(*layer));
  }
  if (schema->layers_.empty()) {
    if (known.empty()) return NotFound("this ketcd was built without a Kubernetes schema");
    return NotFound("no built-in schema \"" + std::string(version) + "\" (built in: " + known +
                    ")");
  }
  return schema;
}

Result<std::unique_ptr<Schema>> Schema::Load(const std::string& spec) {
  if (spec.empty()) return BuiltIn();
  if (spec.rfind("builtin:", 0) == 0) return BuiltInVersion(spec.substr(8));
  return FromDescriptorSetFile(spec);
}

std::vector<std::string> Schema::Describe() const {
  std::vector<std::string> lines;
  for (const auto& layer : layers_) {
    lines.push_back(layer.origin + ": " + std::to_string(layer.message_count) + " API messages");
  }
  return lines;
}

const Descriptor* Schema::FindKindInLayer(const Layer& layer, std::string_view api_version,
                                          std::string_view kind) const {
  std::string_view group, version = api_version;
  if (auto slash = api_version.find('/'); slash != std::string_view::npos) {
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  }
  const std::string wanted_package =
      "k8s.io.api." + GroupPackageName(group) + "." + std::string(version);
  auto [begin, end] =
      layer.by_version_kind.equal_range(std::string(version) + "/" + std::string(kind));
  for (auto it = begin; it != end; ++it) {
    if (it->second->file()->package() == wanted_package) return it->second;
  }
  return nullptr;
}

const Descriptor* Schema::FindKind(std::string_view api_version, std::string_view kind) const {
  for (const auto& layer : layers_) {
    if (const Descriptor* found = FindKindInLayer(layer, api_version, kind)) return found;
  }
  // Kinds every group version shares (Status, DeleteOptions, ...) are
  // meta/v1 types.
  for (const auto& layer : layers_) {
    if (const Descriptor* found = layer.pool->FindMessageTypeByName(
            "k8s.io.apimachinery.pkg.apis.meta.v1." + std::string(kind))) {
      return found;
    }
  }
  return nullptr;
}

std::unique_ptr<google::protobuf::Message> Schema::NewMessage(const Descriptor& type) const {
  return std::unique_ptr<google::protobuf::Message>(factory_.GetPrototype(&type)->New());
}

const JsonTags& Schema::TagsFor(const Descriptor& type) const {
  for (const auto& layer : layers_) {
    if (type.file()->pool() == layer.pool.get()) return layer.tags;
  }
  return layers_.front().tags;
}

}  // namespace ketcd::k8s
