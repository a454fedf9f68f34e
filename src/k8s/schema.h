// Schema: the Kubernetes API's protobuf message types, and the map from a
// stored object's apiVersion/kind to its message.
//
// A Schema is a stack of layers, each a DescriptorPool built from one
// FileDescriptorSet with the JSON tags of the same API version. Lookups try
// the layers in order, so the built-in schema (newest Kubernetes first, then
// an older release) also knows kinds that newer releases dropped.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/json_tags.h"
#include "util/status.h"

namespace ketcd::k8s {

class Schema {
 public:
  // One layer from a serialized FileDescriptorSet; `origin` names it in
  // messages and in `ketcd schema list`. JSON tags come from the built-in
  // schemas, per message from the release with the same fields.
  static Result<std::unique_ptr<Schema>> FromDescriptorSet(std::string_view serialized,
                                                           std::string origin);
  // A FileDescriptorSet file, a Kubernetes Go binary, a .proto directory or
  // an imported schema's name (schema_source.h).
  static Result<std::unique_ptr<Schema>> FromSource(const std::string& source);
  // Every schema built into this binary, newest first; kNotFound without.
  static Result<std::unique_ptr<Schema>> BuiltIn();
  // The built-in schema whose version contains `version` (e.g. "0.32").
  static Result<std::unique_ptr<Schema>> BuiltInVersion(std::string_view version);
  // `spec`: "" the built-in schemas, "builtin:0.32" one of them, else a
  // source for FromSource.
  static Result<std::unique_ptr<Schema>> Load(const std::string& spec);

  // One line per layer: "<origin>: <n> API messages".
  std::vector<std::string> Describe() const;
  const std::string& origin() const { return layers_.front().origin; }

  // The message for a stored object, e.g. ("apps/v1", "Deployment") ->
  // k8s.io.api.apps.v1.Deployment; nullptr when no layer has it.
  const google::protobuf::Descriptor* FindKind(std::string_view api_version,
                                               std::string_view kind) const;
  // JSON names and omitempty rules for the messages of `type`'s layer.
  const JsonTags& TagsFor(const google::protobuf::Descriptor& type) const;
  // A new, empty message of `type`. The factory behind it is built once per
  // schema: building one per object would redo every type's layout.
  std::unique_ptr<google::protobuf::Message> NewMessage(
      const google::protobuf::Descriptor& type) const;

 private:
  // A message a stored kind may name, found by its proto name; its
  // descriptor is built on first use in a lazily built layer.
  struct KindEntry {
    KindEntry(std::string package, std::string full_name)
        : package(std::move(package)), full_name(std::move(full_name)) {}
    std::string package;
    std::string full_name;
    mutable std::atomic<const google::protobuf::Descriptor*> message{nullptr};
  };
  struct Layer {
    std::string origin;
    // Where a lazily built pool finds its files (declared first: the pool,
    // which refers to it, goes first).
    std::unique_ptr<google::protobuf::SimpleDescriptorDatabase> files;
    std::unique_ptr<google::protobuf::DescriptorPool> pool;
    // "<version>/<Kind>" -> messages of that name, in any group.
    std::multimap<std::string, KindEntry> by_version_kind;
    JsonTags tags;
    size_t message_count = 0;
  };

  Schema() = default;
  // `tags`: the layer's JSON tag table; none for a schema loaded at run
  // time (matched per message from the built-in tables), whose files are
  // all built and checked at once. A built-in layer (with tags) builds a
  // file's descriptors when a lookup first needs them: a command that reads
  // Pods does not pay for the 1400 messages of the whole API.
  static Result<Layer> BuildLayer(std::string_view serialized, std::string origin,
                                  std::optional<std::string_view> tags);
  const google::protobuf::Descriptor* FindKindInLayer(const Layer& layer,
                                                      std::string_view api_version,
                                                      std::string_view kind) const;

  std::vector<Layer> layers_;
  // GetPrototype is thread-safe; the factory caches prototypes.
  mutable google::protobuf::DynamicMessageFactory factory_;
};

// The proto package segment Kubernetes uses for an API group:
// "" -> "core", "apps" -> "apps", "rbac.authorization.k8s.io" -> "rbac",
// "internal.apiserver.k8s.io" -> "apiserverinternal".
std::string GroupPackageName(std::string_view group);

}  // namespace ketcd::k8s
