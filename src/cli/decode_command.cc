// ketcd decode [FILE|-]: one stored value (raw bytes as etcd holds them)
// printed as the API server would print the object.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "k8s/schema_source.h"
#include "cli/decoding_options.h"
#include "k8s/builtin_schema.h"
#include "k8s/cbor.h"
#include "k8s/object_encoder.h"
#include "k8s/object_renderer.h"
#include "k8s/schema.h"
#include "util/json_string.h"
#include "util/json_text.h"
#include "util/read_file.h"
#include "util/yaml_writer.h"

namespace ketcd::cli {
namespace {

Result<std::string> ReadInput(const std::string& path) {
  if (path.empty() || path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  auto text = ReadWholeFile(path);
  if (!text.ok()) return InvalidArgument(text.status().message());
  return text;
}

struct DecodeArgs {
  std::string path, etcd_key;
  DecodingOptions decoding;
};

Status Decode(CommandContext& context, const DecodeArgs& args) {
  const std::string& path = args.path;
  auto input = ReadInput(path);
  if (!input.ok()) return input.status();
  auto decoder = Decoder::Load(args.decoding);
  if (!decoder.ok()) return decoder.status();
  const std::string where = path.empty() ? "stdin" : path;
  const bool yaml = context.format == OutputFormat::kYaml;
  std::string json, text;
  std::vector<std::string> warnings;
  // JSON in kubectl's indentation; YAML from the compact text.
  Status decoded = decoder->DecodeJson(args.etcd_key, *input, 0, &json, &warnings, {.indented = !yaml});
  if (!decoded.ok()) return decoded.WithContext(where);
  for (const auto& warning : warnings) *context.err << "ketcd: warning: " << warning << "\n";
  if (!yaml) {
    text = std::move(json) + '\n';
  } else if (!AppendKubectlYamlFromJson(text, json)) {
    auto rendered = decoder->Decode(args.etcd_key, *input);
    if (!rendered.ok()) return rendered.status().WithContext(where);
    text = ToYaml(rendered->object);
  }
  *context.out << text;
  return Status::Ok();
}

struct EncodeArgs {
  std::string path, schema;
  bool cbor = false;
};

Status Encode(CommandContext& context, const EncodeArgs& args) {
  const std::string& path = args.path;
  auto input = ReadInput(path);
  if (!input.ok()) return input.status();
  auto object = k8s::Json::parse(*input, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return InvalidArgument((path.empty() ? "stdin" : path) + ": not JSON");
  if (args.cbor) {  // a custom resource as CBORServingAndStorage stores it
    const std::string encoded = k8s::JsonToCbor(object);
    context.out->write(encoded.data(), static_cast<std::streamsize>(encoded.size()));
    return Status::Ok();
  }
  auto schema = k8s::Schema::Load(args.schema);
  if (!schema.ok()) return schema.status();
  auto encoded = k8s::EncodeStoredObject(**schema, object);
  if (!encoded.ok()) return encoded.status();
  context.out->write(encoded->data(), static_cast<std::streamsize>(encoded->size()));
  return Status::Ok();
}

struct SchemaListArgs {
  std::string schema;
};

Status SchemaList(CommandContext& context, const SchemaListArgs& args) {
  const std::string& schema_path = args.schema;
  auto schema = k8s::Schema::Load(schema_path);
  if (!schema.ok()) return schema.status();
  for (const auto& line : (*schema)->Describe()) *context.out << line << "\n";
  if (schema_path.empty()) {
    *context.out << "each release alone, with --schema builtin:VERSION:\n";
    for (const auto& blob : k8s::BuiltInSchemaBlobs()) {
      if (!blob.merged) *context.out << "  " << blob.version << "\n";
    }
  }
  const auto imported = k8s::ImportedSchemas();
  if (!imported.empty()) {
    *context.out << "imported (" << k8s::SchemaCacheDir() << "), use with --schema NAME:\n";
    for (const auto& name : imported) *context.out << "  " << name << "\n";
  }
  return Status::Ok();
}

struct ImportArgs {
  std::string source, name;
};

Status SchemaImport(CommandContext& context, const ImportArgs& args) {
  const std::string& source = args.source;
  const std::string name = args.name.empty() ? std::filesystem::path(source).filename().string() : args.name;
  // Check that it loads as a schema before keeping it.
  auto schema = k8s::Schema::Load(source);
  if (!schema.ok()) return schema.status();
  auto path = k8s::ImportSchema(source, name);
  if (!path.ok()) return path.status();
  *context.out << "imported " << source << " as \"" << name << "\" (" << *path << "): "
               << (*schema)->Describe().front().substr(source.size() + 2) << "\n";
  return Status::Ok();
}

}  // namespace

void AddDecodeCommands(CLI::App& app, CommandContext& context) {
  AddCommand<DecodeArgs>(app, context, "decode", "Decode one stored value (file or stdin)",
                         [](CLI::App& decode, DecodeArgs& args) {
                           decode.add_option("file", args.path, "File with the raw value; - or none: stdin");
                           AddDecodingOptions(&decode, args.decoding);
                           decode.add_option("--key", args.etcd_key,
                                             "The value's etcd key (aesgcm authenticates it), e.g. /registry/secrets/ns/x");
                         },
                         Decode);
  AddCommand<EncodeArgs>(app, context, "encode", "Encode an object's JSON to the bytes etcd stores",
                         [](CLI::App& encode, EncodeArgs& args) {
                           encode.add_option("file", args.path, "File with the object's JSON; - or none: stdin");
                           encode.add_option("--schema", args.schema, kSchemaHelp);
                           encode.add_flag("--cbor", args.cbor,
                                           "Encode as CBOR, as the API server stores custom resources with "
                                           "CBORServingAndStorage");
                         },
                         Encode);

  auto* schema = app.add_subcommand("schema", "Kubernetes schemas");
  schema->require_subcommand(1);
  AddCommand<SchemaListArgs>(*schema, context, "list", "Show the schema in use",
                             [](CLI::App& list, SchemaListArgs& args) {
                               list.add_option("--schema", args.schema, kSchemaHelp);
                             },
                             SchemaList);
  AddCommand<ImportArgs>(*schema, context, "import",
                         "Keep a schema (from a binary, .proto directory or descriptor file) under a name",
                         [](CLI::App& import, ImportArgs& args) {
                           import.add_option("source", args.source, kSchemaHelp)->required();
                           import.add_option("--name", args.name, "Name to use with --schema (default: file name)");
                         },
                         SchemaImport);
}

}  // namespace ketcd::cli
