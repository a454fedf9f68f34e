#include "k8s/schema.h"

#include <google/protobuf/descriptor.pb.h>

#include <set>

#include "k8s/builtin_schema.h"
#include "k8s/schema_source.h"

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

void AddMessages(const Descriptor& message, std::vector<const Descriptor*>& out) {
  out.push_back(&message);
  for (int i = 0; i < message.nested_type_count(); ++i) AddMessages(*message.nested_type(i), out);
}

// JSON tags for a schema loaded at run time, whose Go structs ketcd was not
// built from: per message, the tags of the newest built-in release whose
// struct has exactly this message's field numbers (a field that changed
// between releases, e.g. an inline struct replacing a field, changes them),
// else the newest release's.
JsonTags MatchBuiltInTags(const google::protobuf::DescriptorPool& pool,
                          const google::protobuf::FileDescriptorSet& set) {
  std::vector<JsonTags> releases;
  for (const auto& blob : BuiltInSchemaBlobs()) {
    if (!blob.merged) releases.push_back(JsonTags::Parse(blob.json_tags));
  }
  JsonTags matched;
  std::vector<const Descriptor*> messages;
  for (const auto& file_proto : set.file()) {
    const auto* file = pool.FindFileByName(file_proto.name());
    for (int i = 0; file && i < file->message_type_count(); ++i) {
      AddMessages(*file->message_type(i), messages);
    }
  }
  for (const Descriptor* message : messages) {
    std::set<int> numbers;
    for (int i = 0; i < message->field_count(); ++i) numbers.insert(message->field(i)->number());
    const std::vector<JsonFieldTag>* chosen = nullptr;
    for (const auto& release : releases) {
      const auto* fields = release.Find(message->full_name());
      if (!fields) continue;
      std::set<int> tagged;
      for (const auto& field : *fields) tagged.insert(field.number);
      if (!chosen) chosen = fields;  // the newest, failing an exact match
      if (tagged == numbers) {
        chosen = fields;
        break;
      }
    }
    if (chosen) matched.Set(message->full_name(), *chosen);
  }
  return matched;
}

}  // namespace

std::string GroupPackageName(std::string_view group) {
  if (group.empty()) return "core";
  if (group == "internal.apiserver.k8s.io") return "apiserverinternal";
  return std::string(group.substr(0, group.find('.')));
}

Result<Schema::Layer> Schema::BuildLayer(std::string_view serialized, std::string origin,
                                         std::optional<std::string_view> tags) {
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return DataLoss(origin + ": not a FileDescriptorSet");
  }
  Layer layer;
  layer.origin = std::move(origin);
  for (const auto& file : set.file()) {
    std::string group_package, version;
    if (!ApiPackageVersion(file.package(), &group_package, &version)) continue;
    for (const auto& message : file.message_type()) {
      layer.by_version_kind.emplace(std::piecewise_construct, std::forward_as_tuple(version + "/" + message.name()),
                                    std::forward_as_tuple(file.package(), file.package() + "." + message.name()));
      ++layer.message_count;
    }
  }
  if (tags) {
    layer.files = std::make_unique<google::protobuf::SimpleDescriptorDatabase>();
    auto& files = *set.mutable_file();
    while (!files.empty()) {
      if (!layer.files->AddAndOwn(files.ReleaseLast())) {
        return DataLoss(layer.origin + ": a file is listed twice");
      }
    }
    layer.pool = std::make_unique<google::protobuf::DescriptorPool>(layer.files.get());
    layer.tags = JsonTags::Parse(*tags);
    return layer;
  }
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
      std::string missing;
      for (const auto& dependency : pending[0]->dependency()) {
        if (!layer.pool->FindFileByName(dependency)) missing = dependency;
      }
      return DataLoss(layer.origin + ": " + pending[0]->name() + " imports " + missing +
                      ", which it does not hold");
    }
    pending = std::move(still_pending);
  }
  layer.tags = MatchBuiltInTags(*layer.pool, set);
  return layer;
}

Result<std::unique_ptr<Schema>> Schema::FromDescriptorSet(std::string_view serialized,
                                                          std::string origin) {
  auto layer = BuildLayer(serialized, std::move(origin), std::nullopt);
  if (!layer.ok()) return layer.status();
  std::unique_ptr<Schema> schema(new Schema());
  schema->layers_.push_back(std::move(*layer));
  return schema;
}

Result<std::unique_ptr<Schema>> Schema::FromSource(const std::string& source) {
  auto set = ReadDescriptorSource(source);
  if (!set.ok()) return set.status();
  return FromDescriptorSet(*set, source);
}

Result<std::unique_ptr<Schema>> Schema::BuiltIn() { return BuiltInVersion(""); }

Result<std::unique_ptr<Schema>> Schema::BuiltInVersion(std::string_view version) {
  std::unique_ptr<Schema> schema(new Schema());
  std::string known;
  for (const auto& blob : BuiltInSchemaBlobs()) {
    // "": the merged schema alone (it holds every release's kinds);
    // a version: that release's own.
    if (blob.merged != version.empty()) continue;
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
  return FromSource(spec);
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
    const KindEntry& entry = it->second;
    if (entry.package != wanted_package) continue;
    const Descriptor* message = entry.message.load(std::memory_order_acquire);
    if (message == nullptr) {
      // The pool is safe to share; two threads may both look it up.
      message = layer.pool->FindMessageTypeByName(entry.full_name);
      entry.message.store(message, std::memory_order_release);
    }
    return message;
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
