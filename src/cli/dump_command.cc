// ketcd dump [PREFIX]: every object under a prefix, decoded, streamed page by
// page (memory stays bounded whatever the keyspace size).
#include <CLI/CLI.hpp>
#include <optional>

#include "cli/commands.h"
#include "etcd/range_pager.h"
#include "k8s/encryption.h"
#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "util/json_text.h"

namespace ketcd::cli {
namespace {

struct DumpArgs {
  std::string prefix = "/registry/";
  std::string schema, encryption_config;
  int64_t revision = 0;
};

// A value that does not decode is still shown, never dropped.
k8s::Json RawRecord(const std::string& key, const std::string& value, const Status& why) {
  return k8s::Json{{"ketcd.key", key},
                   {"ketcd.error", why.message()},
                   {"ketcd.rawFields", k8s::RenderWireFields(value)}};
}

Status Dump(CommandContext& context, const DumpArgs& args) {
  OutputFormat format = context.format;
  if (format == OutputFormat::kSimple || format == OutputFormat::kTable) {
    format = OutputFormat::kJsonLines;
  }
  auto schema = k8s::Schema::Load(args.schema);
  if (!schema.ok()) return schema.status();
  std::optional<k8s::EncryptionConfig> encryption;
  if (!args.encryption_config.empty()) {
    auto loaded = k8s::EncryptionConfig::Load(args.encryption_config);
    if (!loaded.ok()) return loaded.status();
    encryption = std::move(*loaded);
  }
  auto client = context.Client();
  if (!client.ok()) return client.status();
  etcd::pb::RangeRequest request;
  request.set_key(args.prefix.empty() ? std::string(1, '\0') : args.prefix);
  request.set_range_end(args.prefix.empty() ? std::string(1, '\0')
                                            : etcd::PrefixRangeEnd(args.prefix));
  request.set_revision(args.revision);
  std::ostream& out = *context.out;
  size_t printed = 0, undecodable = 0;
  if (format == OutputFormat::kJson) out << "[";
  Status status = etcd::ReadRangeInPages(
      **client, request, etcd::PageSizing(), [&](const etcd::RangePage& page) {
        for (const auto& kv : page.response.kvs()) {
          auto plain =
              k8s::DecryptIfNeeded(encryption ? &*encryption : nullptr, kv.value(), kv.key());
          auto rendered = plain.ok() ? k8s::RenderStoredValue(**schema, *plain)
                                     : Result<k8s::RenderedObject>(plain.status());
          k8s::Json object;
          if (rendered.ok()) {
            for (const auto& warning : rendered->warnings) {
              std::cerr << "ketcd: warning: " << kv.key() << ": " << warning << "\n";
            }
            object = std::move(rendered->object);
          } else {
            ++undecodable;
            object = RawRecord(kv.key(), kv.value(), rendered.status());
          }
          switch (format) {
            case OutputFormat::kYaml:
              out << "---\n" << ToYaml(object);
              break;
            case OutputFormat::kJson:
              out << (printed ? "," : "") << "\n" << JsonText(object);
              break;
            default:
              out << JsonText(object) << "\n";
          }
          ++printed;
        }
        return Status::Ok();
      });
  if (format == OutputFormat::kJson) out << "\n]\n";
  if (!status.ok()) return status;
  if (undecodable > 0) {
    std::cerr << "ketcd: warning: " << undecodable << " of " << printed
              << " values could not be decoded; shown as raw fields\n";
  }
  return Status::Ok();
}

}  // namespace

void AddDumpCommand(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<DumpArgs>();
  auto* dump = app.add_subcommand("dump", "Stream every object under a prefix, decoded");
  dump->add_option("prefix", args->prefix, "Key prefix")->capture_default_str();
  dump->add_option("--rev", args->revision, "Read at this revision (0 = latest)");
  dump->add_option("--schema", args->schema, "builtin:VERSION (e.g. builtin:0.32) or a FileDescriptorSet file");
  dump->add_option("--encryption-config", args->encryption_config,
                   "The API server's EncryptionConfiguration, to read encrypted values");
  dump->callback(
      [&context, args] { context.action = [&context, args] { return Dump(context, *args); }; });
}

}  // namespace ketcd::cli
