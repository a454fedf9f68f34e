#include "cli/decoding_options.h"

#include "k8s/storage_envelope.h"
#include "util/json_text.h"

namespace ketcd::cli {

void AddDecodingOptions(CLI::App* command, DecodingOptions& options) {
  command->add_option("--schema", options.schema,
                      kSchemaHelp);
  command->add_option("--encryption-config", options.encryption_config,
                      "The API server's EncryptionConfiguration, to read encrypted values");
  command->add_flag("--show-managed-fields", options.show_managed_fields,
                    "Show metadata.managedFields (hidden by default, as kubectl does)");
}

Result<Decoder> Decoder::Load(const DecodingOptions& options) {
  Decoder decoder;
  auto schema = k8s::Schema::Load(options.schema);
  if (!schema.ok()) return schema.status();
  decoder.schema_ = std::move(*schema);
  decoder.renderer_ = std::make_shared<k8s::StreamRenderer>(*decoder.schema_);
  decoder.show_managed_fields_ = options.show_managed_fields;
  if (!options.encryption_config.empty()) {
    auto loaded = k8s::EncryptionConfig::Load(options.encryption_config);
    if (!loaded.ok()) return loaded.status();
    decoder.encryption_ = std::move(*loaded);
  }
  return decoder;
}

Result<k8s::RenderedObject> Decoder::Decode(const std::string& etcd_key, std::string_view value,
                                            int64_t mod_revision) const {
  auto plain = k8s::DecryptIfNeeded(encryption_ ? &*encryption_ : nullptr, value, etcd_key);
  if (!plain.ok()) return plain.status();
  return k8s::RenderStoredValue(*schema_, *plain, View(mod_revision));
}

k8s::ReadView Decoder::View(int64_t mod_revision) const {
  return {.mod_revision = mod_revision,
          .hide_managed_fields = !show_managed_fields_,
          .read_conversions = true};
}

k8s::Json Decoder::RawRecord(std::string_view etcd_key, std::string_view value, const Status& error) {
  return k8s::Json{{"ketcd.key", etcd_key},
                   {"ketcd.error", error.message()},
                   {"ketcd.rawFields", k8s::RenderWireFields(value)}};
}

k8s::Json Decoder::DecodeOrRaw(const mvccpb::KeyValue& kv, std::vector<std::string>* warnings,
                               bool* decoded) const {
  const std::string& etcd_key = kv.key();
  const std::string& value = kv.value();
  auto rendered = Decode(etcd_key, value, kv.mod_revision());
  *decoded = rendered.ok();
  if (rendered.ok()) {
    for (auto& warning : rendered->warnings) warnings->push_back(std::move(warning));
    return std::move(rendered->object);
  }
  return RawRecord(etcd_key, value, rendered.status());
}

Status Decoder::DecodeJson(std::string_view etcd_key, std::string_view value, int64_t mod_revision,
                           std::string* out, std::vector<std::string>* warnings, JsonLayout layout) const {
  if (k8s::DetectStorageEncoding(value) != k8s::StorageEncoding::kEncrypted) {
    return renderer_->AppendJson(value, View(mod_revision), out, warnings, layout);
  }
  auto plain = k8s::DecryptIfNeeded(encryption_ ? &*encryption_ : nullptr, value, etcd_key);
  if (!plain.ok()) return plain.status();
  return renderer_->AppendJson(*plain, View(mod_revision), out, warnings, layout);
}

void Decoder::AppendJson(std::string_view etcd_key, std::string_view value, int64_t mod_revision,
                         std::string* out, std::vector<std::string>* warnings, bool* decoded,
                         std::string* error, JsonLayout layout) const {
  Status status = DecodeJson(etcd_key, value, mod_revision, out, warnings, layout);
  *decoded = status.ok();
  if (status.ok()) return;
  AppendJsonInLayout(*out, JsonText(RawRecord(etcd_key, value, status)), layout);
  if (error != nullptr) *error = status.message();
}

}  // namespace ketcd::cli
