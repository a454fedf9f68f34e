#include "k8s/schema.h"

#include <google/protobuf/descriptor.pb.h>

#include <fstream>
#include <sstream>

#include "k8s/builtin_schema.h"

namespace ketcd::k8s {
namespace {

using google::protobuf::Descriptor;

// "k8s.io.api.apps.v1" -> version "v1"; packages outside k8s.io.api
// (apimachinery) hold no stored kinds.
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

}  // namespace

std::string GroupPackageName(std::string_view group) {
  if (group.empty()) return "core";
  if (group == "internal.apiserver.k8s.io") return "apiserverinternal";
  return std::string(group.substr(0, group.find('.')));
}

Result<std::unique_ptr<Schema>> Schema::FromDescriptorSet(std::string_view serialized,
                                                          std::string origin) {
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return DataLoss(origin + ": not a FileDescriptorSet");
  }
  std::unique_ptr<Schema> schema(new Schema());
  schema->origin_ = std::move(origin);
  schema->json_tags_ = JsonTags::Parse(BuiltInJsonTags());
  schema->pool_ = std::make_unique<google::protobuf::DescriptorPool>();
  // Files must be added after their imports; --include_imports sets list
  // dependencies first, but be tolerant of any order.
  std::vector<const google::protobuf::FileDescriptorProto*> pending;
  for (const auto& file : set.file()) pending.push_back(&file);
  while (!pending.empty()) {
    std::vector<const google::protobuf::FileDescriptorProto*> still_pending;
    for (const auto* file : pending) {
      bool ready = true;
      for (const auto& dependency : file->dependency()) {
        if (!schema->pool_->FindFileByName(dependency)) ready = false;
      }
      if (!ready) {
        still_pending.push_back(file);
      } else if (!schema->pool_->BuildFile(*file)) {
        return DataLoss(schema->origin_ + ": invalid descriptor " + file->name());
      }
    }
    if (still_pending.size() == pending.size()) {
      return DataLoss(schema->origin_ + ": " + pending[0]->name() + " imports a missing file");
    }
    pending = std::move(still_pending);
  }
  for (const auto& file_proto : set.file()) {
    const auto* file = schema->pool_->FindFileByName(file_proto.name());
    std::string group_package, version;
    if (!file || !ApiPackageVersion(file->package(), &group_package, &version)) continue;
    for (int i = 0; i < file->message_type_count(); ++i) {
      const Descriptor* message = file->message_type(i);
      schema->by_version_kind_.emplace(version + "/" + message->name(), message);
      ++schema->message_count_;
    }
  }
  return schema;
}

Result<std::unique_ptr<Schema>> Schema::FromDescriptorSetFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return FromDescriptorSet(buffer.str(), path);
}

Result<std::unique_ptr<Schema>> Schema::BuiltIn() {
  std::string_view data = BuiltInSchemaData();
  if (data.empty()) return NotFound("this ketcd was built without a Kubernetes schema");
  return FromDescriptorSet(data, std::string("built-in ") + BuiltInSchemaVersion());
}

Result<std::unique_ptr<Schema>> Schema::Load(const std::string& path) {
  return path.empty() ? BuiltIn() : FromDescriptorSetFile(path);
}

const Descriptor* Schema::FindKind(std::string_view api_version, std::string_view kind) const {
  std::string_view group, version = api_version;
  if (auto slash = api_version.find('/'); slash != std::string_view::npos) {
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  }
  const std::string wanted_package =
      "k8s.io.api." + GroupPackageName(group) + "." + std::string(version);
  auto [begin, end] = by_version_kind_.equal_range(std::string(version) + "/" + std::string(kind));
  for (auto it = begin; it != end; ++it) {
    if (it->second->file()->package() == wanted_package) return it->second;
  }
  // Kinds every group version shares (Status, DeleteOptions, ...) are
  // meta/v1 types.
  return pool_->FindMessageTypeByName("k8s.io.apimachinery.pkg.apis.meta.v1." + std::string(kind));
}

const Descriptor* Schema::FindMessage(const std::string& full_name) const {
  return pool_->FindMessageTypeByName(full_name);
}

}  // namespace ketcd::k8s
