// Schema: the Kubernetes API's protobuf message types, and the map from a
// stored object's apiVersion/kind to its message.
//
// A Schema owns a DescriptorPool built from a FileDescriptorSet: the one
// compiled into ketcd from Debian's golang-k8s-api-dev protos (BuiltIn()),
// or one read at run time (FromDescriptorSetFile()).
#pragma once

#include <google/protobuf/descriptor.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "k8s/json_tags.h"
#include "util/status.h"

namespace ketcd::k8s {

class Schema {
 public:
  // Parses a serialized FileDescriptorSet; `origin` names it in messages
  // and in `ketcd schema list`.
  static Result<std::unique_ptr<Schema>> FromDescriptorSet(std::string_view serialized,
                                                           std::string origin);
  static Result<std::unique_ptr<Schema>> FromDescriptorSetFile(const std::string& path);
  // The schema built into this binary; kNotFound when the build had none.
  static Result<std::unique_ptr<Schema>> BuiltIn();
  // `path` empty: the built-in schema; else a FileDescriptorSet file.
  static Result<std::unique_ptr<Schema>> Load(const std::string& path);

  const std::string& origin() const { return origin_; }
  size_t message_count() const { return message_count_; }

  // The message for a stored object, e.g. ("apps/v1", "Deployment") ->
  // k8s.io.api.apps.v1.Deployment; nullptr when the schema has none.
  const google::protobuf::Descriptor* FindKind(std::string_view api_version,
                                               std::string_view kind) const;
  const google::protobuf::Descriptor* FindMessage(const std::string& full_name) const;
  // JSON names and omitempty rules of the API's Go types (the built-in
  // table; field numbers are stable across Kubernetes versions).
  const JsonTags& json_tags() const { return json_tags_; }

 private:
  Schema() = default;

  std::string origin_;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  // "<version>/<Kind>" -> packages holding such a message, by package.
  std::multimap<std::string, const google::protobuf::Descriptor*> by_version_kind_;
  size_t message_count_ = 0;
  JsonTags json_tags_;
};

// The proto package segment Kubernetes uses for an API group:
// "" -> "core", "apps" -> "apps", "rbac.authorization.k8s.io" -> "rbac",
// "internal.apiserver.k8s.io" -> "apiserverinternal".
std::string GroupPackageName(std::string_view group);

}  // namespace ketcd::k8s
