// The options every command that decodes stored objects takes (--schema,
// --encryption-config), and what they load.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "k8s/encryption.h"
#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "k8s/stream_renderer.h"

namespace ketcd::cli {

// What --schema takes, for every command's help.
inline constexpr const char* kSchemaHelp =
    "builtin:VERSION (e.g. builtin:0.32), a Kubernetes binary (kubectl, kubelet), a directory "
    "holding k8s.io/**/*.proto, a FileDescriptorSet file, or a name from `ketcd schema import`";

struct DecodingOptions {
  std::string schema;             // Schema::Load spec
  std::string encryption_config;  // EncryptionConfiguration file
  bool show_managed_fields = false;
};

void AddDecodingOptions(CLI::App* command, DecodingOptions& options);

class Decoder {
 public:
  static Result<Decoder> Load(const DecodingOptions& options);

  // Decrypts (when needed) and renders one stored value as the API server
  // returns it and kubectl prints it: metadata.resourceVersion from
  // `mod_revision` (when > 0), managedFields hidden unless asked for.
  Result<k8s::RenderedObject> Decode(const std::string& etcd_key, std::string_view value,
                                     int64_t mod_revision = 0) const;
  // As Decode, but a value that does not decode becomes a record holding
  // the error and its raw fields: shown, never dropped.
  k8s::Json DecodeOrRaw(const mvccpb::KeyValue& kv, std::vector<std::string>* warnings,
                        bool* decoded) const;
  // As Decode, the object appended to *out as JSON text laid out as
  // `layout` says, streamed straight from the stored bytes where it can be
  // (k8s/stream_renderer.h). Safe to call from several threads at once.
  Status DecodeJson(std::string_view etcd_key, std::string_view value, int64_t mod_revision,
                    std::string* out, std::vector<std::string>* warnings, JsonLayout layout = {}) const;
  // The text of DecodeOrRaw(...), as DecodeJson writes it; `error`, when
  // given, gets why a value was not decoded.
  void AppendJson(std::string_view etcd_key, std::string_view value, int64_t mod_revision,
                  std::string* out, std::vector<std::string>* warnings, bool* decoded,
                  std::string* error = nullptr, JsonLayout layout = {}) const;
  // metadata.name and creationTimestamp without decoding (k8s/stream_renderer.h).
  bool TryReadIdentity(std::string_view value, k8s::ObjectIdentity* identity) const {
    return renderer_->TryReadIdentity(value, identity);
  }

 private:
  k8s::ReadView View(int64_t mod_revision) const;
  static k8s::Json RawRecord(std::string_view etcd_key, std::string_view value, const Status& error);

  std::shared_ptr<k8s::Schema> schema_;
  std::shared_ptr<k8s::StreamRenderer> renderer_;
  std::optional<k8s::EncryptionConfig> encryption_;
  bool show_managed_fields_ = false;
};

}  // namespace ketcd::cli
